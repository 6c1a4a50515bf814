"""Our accuracy, failures and expected-overlap curve against the official VOT toolkit's analysis (vot-toolkit 0.9)
on the same VOT result files.

The toolkit needs its own environment (it pins ``attributee`` and replaces OpenCV), so this test runs only when
``TF_LU_VOT_TOOLKIT_PYTHON`` names a Python that imports it, for example::

    python -m venv /tmp/votkit && /tmp/votkit/bin/pip install vot-toolkit==0.9.0 attributee==0.1.9
    TF_LU_VOT_TOOLKIT_PYTHON=/tmp/votkit/bin/python python -m pytest -q tests/test_vot_toolkit_crosscheck.py

The toolkit rasterises regions after rounding their corners to whole pixels, while we compute exact overlaps; on
boxes with whole-pixel corners the two are equal, so the fixture uses such boxes and everything must agree to 1e-6.
The toolkit's curve has the same values as ours index by index, but stops at the longest fragment where ours (and the
legacy toolkit's) goes on to the longest sequence; its EAO score averages the curve over indices ``[low, high]``,
which are our lengths ``[low + 1, high + 1]`` (see :mod:`tf_lu.evaluation.eao`).
"""
import json
import os
import subprocess

import numpy as np
import pytest

from tf_lu.data.vot_sequences import VotSequence
from tf_lu.evaluation.eao import trajectory_overlaps, vot_scores
from tf_lu.evaluation.vot_protocol import run_supervised
from tf_lu.evaluation.vot_results import run_paths, write_run

TOOLKIT_PYTHON = os.environ.get("TF_LU_VOT_TOOLKIT_PYTHON")
pytestmark = pytest.mark.skipif(not TOOLKIT_PYTHON, reason="TF_LU_VOT_TOOLKIT_PYTHON not set (vot-toolkit needs its "
                                                           "own environment)")

# Runs in the toolkit's Python: reads the result and groundtruth files with the toolkit's reader and scores them with
# its AccuracyRobustness and EAOCurve analyses, given duck-typed experiment, sequence and run objects.
DRIVER = '''
import json, sys
from vot.analysis.supervised import AccuracyRobustness, EAOCurve
from vot.region.io import read_trajectory

class Run:
    def __init__(self, path): self._regions = read_trajectory(path)
    def regions(self): return self._regions

class Sequence:
    def __init__(self, entry):
        self.name, self.size, self.path = entry["name"], tuple(entry["size"]), entry["result"]
        self._groundtruth = read_trajectory(entry["groundtruth"])
    def groundtruth(self): return self._groundtruth
    def __len__(self): return len(self._groundtruth)

class Experiment:
    def gather(self, tracker, sequence): return [Run(sequence.path)]

sequences = [Sequence(entry) for entry in json.load(open(sys.argv[1]))]
analysis = AccuracyRobustness()
result = {"sequences": {s.name: list(analysis.subcompute(Experiment(), None, s, [])[:2]) for s in sequences},
          "curve": [float(v) for v in EAOCurve().subcompute(Experiment(), None, sequences, [])[0]]}
print(json.dumps(result))
'''

SIZE = 96


class JitterTracker:
    """Answers the frame's ground truth moved by whole pixels (seeded), far away on ``fail_on`` frames."""

    def __init__(self, truth, fail_on, seed):
        self.truth, self.fail_on, self.rng = truth, set(fail_on), np.random.default_rng(seed)

    def init(self, image, box):
        pass

    def update(self, image):
        index = int(image[0, 0, 0])
        if index in self.fail_on:
            return np.array([SIZE - 6.0, SIZE - 6.0, 5.0, 5.0])
        return self.truth[index] + np.r_[self.rng.integers(-4, 5, 2), self.rng.integers(-3, 4, 2)]


def make_sequence(name, length, seed):
    rng = np.random.default_rng(seed)
    x = np.clip(30 + np.cumsum(rng.integers(-2, 3, length)), 5, 60)
    truth = np.stack([x, np.full(length, 30), np.full(length, 20), np.full(length, 16)], axis=1).astype(np.float64)
    frames = [np.full((SIZE, SIZE, 3), i, dtype=np.uint8) for i in range(length)]
    return VotSequence(name=name, frames=frames, boxes=truth)


def test_accuracy_failures_and_eao_curve_agree_with_the_vot_toolkit(tmp_path):
    plan = [("alpha", 70, {12, 40, 41}), ("beta", 45, set()), ("gamma", 90, {30, 55, 88})]
    runs, spec = [], []
    for number, (name, length, fail_on) in enumerate(plan):
        sequence = make_sequence(name, length, number)
        run = run_supervised(JitterTracker(sequence.boxes, fail_on, number), sequence)
        write_run(str(tmp_path), "jitter", "baseline", name, run)
        groundtruth = str(tmp_path / f"{name}_groundtruth.txt")
        np.savetxt(groundtruth, sequence.boxes, fmt="%d", delimiter=",")
        runs.append((run.trajectory, trajectory_overlaps(run.trajectory, sequence.regions, (SIZE, SIZE))))
        spec.append({"name": name, "size": [SIZE, SIZE], "groundtruth": groundtruth,
                     "result": run_paths(str(tmp_path), "jitter", "baseline", name)[0]})
    with open(tmp_path / "spec.json", "w") as handle:
        json.dump(spec, handle)
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER)
    done = subprocess.run([TOOLKIT_PYTHON, str(driver), str(tmp_path / "spec.json")], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])

    low, high = 20, 40  # inside the toolkit's curve, which stops at the longest fragment (here 45 frames)
    ours = vot_scores(runs, preset=(low + 1, high + 1))
    for (name, _, _), mine in zip(plan, ours["sequences"]):
        accuracy, failures = theirs["sequences"][name]
        assert mine["failures"] == failures
        assert mine["accuracy"] == pytest.approx(accuracy, abs=1e-6)
    assert ours["failures"] == 5
    curve = np.array(theirs["curve"])
    count = min(len(curve), len(ours["curve"]))
    finite = np.isfinite(curve[1:count])
    assert finite.sum() > 40
    np.testing.assert_allclose(ours["curve"][1:count][finite], curve[1:count][finite], atol=1e-6)
    assert ours["eao"] == pytest.approx(float(np.mean(curve[low:high + 1])), abs=1e-6)
