"""Our VOT accuracy, failures and expected-overlap curve against the VOT toolkit's analysis (vot-toolkit 0.9,
``vot.analysis.supervised``) on runs with fractional boxes, boxes leaving the image, polygon ground truth and many
failures.

Two checks:

* always: against :class:`ToolkitReference`, a second, plain implementation of the toolkit's computation written
  from its definitions (``compute_accuracy``: the init frame and the 9 after it, failure and skipped frames left out;
  ``AverageAccuracyRobustness``: sequences weighted by frames; ``EAOCurve``: the i-th init up to the i-th failure, the
  last init to the end, a run without failure whole; ``compute_eao_curve``: a table of fragments, a mask that keeps a
  failed fragment for every length and a finished one up to its own; ``EAOScore``: the curve's mean over
  ``[low, high]``), on the same pixel overlaps (:mod:`tf_lu.geometry.raster`, checked against hand counts in
  ``tests/test_vot_raster.py``);
* when ``TF_LU_VOT_TOOLKIT_PYTHON`` names a Python that imports the toolkit (it needs its own environment: it pins
  ``attributee`` and replaces OpenCV), against the toolkit itself, reading the result files we wrote::

    python -m venv /tmp/votkit && /tmp/votkit/bin/pip install vot-toolkit==0.9.0 attributee==0.1.9
    TF_LU_VOT_TOOLKIT_PYTHON=/tmp/votkit/bin/python python -m pytest -q tests/test_vot_toolkit_crosscheck.py
"""
import json
import os
import subprocess

import numpy as np
import pytest

from tf_lu.data.vot_sequences import VotSequence, region_boxes
from tf_lu.evaluation.eao import trajectory_overlaps, vot_scores
from tf_lu.evaluation.vot_protocol import run_supervised
from tf_lu.evaluation.vot_results import run_paths, write_run
from tf_lu.geometry.raster import raster_overlap

TOOLKIT_PYTHON = os.environ.get("TF_LU_VOT_TOOLKIT_PYTHON")
WIDTH, HEIGHT = 120, 96
LOW, HIGH = 8, 40                                  # an EAO range inside the curves of these short runs


class JitterTracker:
    """Answers the frame's ground-truth box moved and resized by fractions of a pixel (seeded), sometimes half out of
    the image, and far from the target on ``fail_on`` frames."""

    def __init__(self, truth, fail_on, seed):
        self.truth, self.fail_on, self.rng = truth, set(fail_on), np.random.default_rng(seed)

    def init(self, image, box):
        pass

    def update(self, image):
        index = int(image[0, 0, 0])
        if index in self.fail_on:
            return np.array([WIDTH - 7.3, HEIGHT - 6.6, 5.2, 4.9])
        return self.truth[index] + np.r_[self.rng.uniform(-4, 4, 2), self.rng.uniform(-3, 3, 2)]


def make_sequence(name, length, seed, polygons=False):
    """A target moving by fractions of a pixel, crossing the left image border; its ground truth fractional boxes
    or, with ``polygons``, tilted quadrilaterals."""
    rng = np.random.default_rng(seed)
    x = np.clip(4 + np.cumsum(rng.uniform(-2.5, 2.5, length)), -8, 90)
    y = np.clip(35 + np.cumsum(rng.uniform(-1.5, 1.5, length)), 2, 60)
    boxes = np.stack([x, y, np.full(length, 21.3), np.full(length, 17.6)], axis=1)
    regions = list(boxes)
    if polygons:
        regions = [np.array([bx + 4.2, by, bx + w, by + 5.1, bx + w - 3.7, by + h, bx, by + h - 4.4])
                   for bx, by, w, h in boxes]
    frames = [np.full((HEIGHT, WIDTH, 3), i, dtype=np.uint8) for i in range(length)]
    return VotSequence(name=name, frames=frames, boxes=region_boxes(regions), regions=regions)


# name, frames, failure frames, polygon ground truth: many failures, a failure too late for a re-initialisation,
# a run that never fails, and polygons
PLAN = [("many", 120, {3, 9, 10, 16, 24, 25, 31, 37, 44, 52, 53, 60, 71, 77, 80, 86, 93, 101, 109, 117}, False),
        ("clean", 70, set(), False),
        ("late", 90, {30, 55, 88}, False),
        ("tilted", 80, {12, 41, 42, 60}, True)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``[(sequence, trajectory, overlaps, result file)]`` of the plan, result files written under a temporary root."""
    root = str(tmp_path_factory.mktemp("vot_crosscheck"))
    out = []
    for number, (name, length, fail_on, polygons) in enumerate(PLAN):
        sequence = make_sequence(name, length, number, polygons)
        run = run_supervised(JitterTracker(sequence.boxes, fail_on, number), sequence)
        write_run(root, "jitter", "baseline", name, run)
        path = run_paths(root, "jitter", "baseline", name)[0]
        trajectory = [int(line) if "," not in line else np.array(line.split(","), dtype=np.float64)
                      for line in open(path).read().split()]        # the values as the file holds them
        out.append((sequence, trajectory, trajectory_overlaps(trajectory, sequence.regions, (WIDTH, HEIGHT)), path))
    return out


class ToolkitReference:
    """The toolkit's supervised analysis, written out plainly (see the module doc)."""

    INIT, FAILURE, UNKNOWN = 1, 2, 0

    @staticmethod
    def special(entry, code):
        return isinstance(entry, int) and entry == code

    def accuracy(self, trajectory, overlaps, burnin=10):
        mask = np.ones(len(trajectory), dtype=bool)
        for i, entry in enumerate(trajectory):
            if self.special(entry, self.UNKNOWN) or self.special(entry, self.FAILURE):
                mask[i] = False
            elif self.special(entry, self.INIT):
                mask[i:i + burnin] = False
        return float(np.mean(overlaps[mask])) if mask.any() else 0.0

    def segments(self, trajectory, overlaps):
        values = np.nan_to_num(overlaps)                 # code frames: no region, overlap 0
        fails = [i for i, e in enumerate(trajectory) if self.special(e, self.FAILURE)]
        inits = [i for i, e in enumerate(trajectory) if self.special(e, self.INIT)]
        if not fails:
            return [(values, True)]
        found = [(values[inits[i]:fails[i]], False) for i in range(len(fails))]
        if len(inits) > len(fails):
            found.append((values[inits[-1]:], True))
        return found

    def eao_curve(self, runs):
        pieces = [piece for trajectory, overlaps in runs for piece in self.segments(trajectory, overlaps)]
        length = max(len(values) for values, _ in pieces)
        table, mask = np.zeros((len(pieces), length)), np.zeros((len(pieces), length))
        for row, (values, success) in enumerate(pieces):
            table[row, :len(values)] = values
            mask[row, :len(values) if success else length] = 1
        running = table.copy()
        for j in range(1, length):
            running[:, j] = np.mean(table[:, 1:j + 1], axis=1)
        return np.sum(running * mask, axis=0) / np.sum(mask, axis=0)


def test_accuracy_failures_and_eao_follow_the_toolkits_definitions(runs):
    reference = ToolkitReference()
    ours = vot_scores([(t, o) for _, t, o, _ in runs], preset=(LOW, HIGH))
    accuracies = [reference.accuracy(t, o) for _, t, o, _ in runs]
    for sequence, mine, theirs in zip([s for s, *_ in runs], ours["sequences"], accuracies):
        # a sequence with no frame past its burn-ins is n/a here, 0 in the toolkit (and in both weighted means)
        assert (0.0 if mine["accuracy"] is None else mine["accuracy"]) == pytest.approx(theirs, abs=1e-12), \
            sequence.name
    frames = np.array([len(s) for s, *_ in runs])
    assert ours["accuracy"] == pytest.approx(float(np.dot(accuracies, frames) / frames.sum()), abs=1e-12)
    assert [s["failures"] for s in ours["sequences"]] == [16, 0, 3, 3]
    curve = reference.eao_curve([(t, o) for _, t, o, _ in runs])
    assert len(ours["curve"]) == len(curve) and len(curve) > HIGH
    np.testing.assert_allclose(ours["curve"][1:], curve[1:], atol=1e-12)
    assert ours["eao"] == pytest.approx(float(np.mean(curve[LOW:HIGH + 1])), abs=1e-12)


def test_the_runs_cover_what_the_toolkit_scores_differently(runs):
    """Fractional boxes that round, boxes leaving the image, polygons: pixel overlaps differ from exact areas."""
    boxes = [e for _, trajectory, _, _ in runs for e in trajectory if not isinstance(e, int)]
    assert any(np.any(np.abs(b - np.round(b)) > 0.01) for b in boxes) and sum(b[0] < 0 for b in boxes) > 10
    assert all(len(r) == 8 for r in runs[3][0].regions)


# Runs in the toolkit's Python: reads the result and ground-truth files with the toolkit's reader and scores them with
# its AccuracyRobustness and EAOCurve analyses (duck-typed experiment, sequence and run objects), and scores region
# pairs with its calculate_overlap.
DRIVER = '''
import json, sys
from vot.analysis.supervised import AccuracyRobustness, EAOCurve
from vot.region.io import read_trajectory, parse_region
from vot.region.raster import calculate_overlap

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

spec = json.load(open(sys.argv[1]))
sequences = [Sequence(entry) for entry in spec["sequences"]]
analysis = AccuracyRobustness()
result = {"sequences": {s.name: list(analysis.subcompute(Experiment(), None, s, [])[:2]) for s in sequences},
          "curve": [float(v) for v in EAOCurve().subcompute(Experiment(), None, sequences, [])[0]],
          "pairs": [calculate_overlap(parse_region(a), parse_region(b), tuple(spec["size"])) for a, b in spec["pairs"]]}
print(json.dumps(result))
'''


def random_pairs(count, seed=5):
    """Region pairs with fractional values, some reaching out of the image, boxes and polygons mixed."""
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(count):
        box = np.r_[rng.uniform(-15, WIDTH - 5, 2), rng.uniform(2, 40, 2)]
        other = box + np.r_[rng.uniform(-8, 8, 2), rng.uniform(-5, 5, 2)]
        if rng.random() < 0.4:
            x, y, w, h = other
            other = np.array([x + 0.3 * w, y, x + w, y + 0.4 * h, x + 0.7 * w, y + h, x, y + 0.6 * h])
        pairs.append((box, other))
    return pairs


@pytest.mark.skipif(not TOOLKIT_PYTHON, reason="TF_LU_VOT_TOOLKIT_PYTHON not set (vot-toolkit needs its own "
                                               "environment)")
def test_accuracy_failures_eao_and_overlaps_agree_with_the_vot_toolkit(runs, tmp_path):
    spec = {"size": [WIDTH, HEIGHT], "sequences": [], "pairs": []}
    for sequence, _, _, path in runs:
        groundtruth = str(tmp_path / f"{sequence.name}_groundtruth.txt")
        with open(groundtruth, "w") as handle:
            handle.writelines(",".join(repr(float(v)) for v in region) + "\n" for region in sequence.regions)
        spec["sequences"].append({"name": sequence.name, "size": [WIDTH, HEIGHT], "groundtruth": groundtruth,
                                  "result": path})
    pairs = random_pairs(300)
    spec["pairs"] = [[",".join(repr(float(v)) for v in r) for r in pair] for pair in pairs]
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    (tmp_path / "driver.py").write_text(DRIVER)
    done = subprocess.run([TOOLKIT_PYTHON, str(tmp_path / "driver.py"), str(tmp_path / "spec.json")],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    theirs = json.loads(done.stdout.strip().splitlines()[-1])

    np.testing.assert_allclose([raster_overlap(a, b, (WIDTH, HEIGHT)) for a, b in pairs], theirs["pairs"], atol=1e-12)
    ours = vot_scores([(t, o) for _, t, o, _ in runs], preset=(LOW, HIGH))
    for (sequence, *_), mine in zip(runs, ours["sequences"]):
        accuracy, failures = theirs["sequences"][sequence.name]
        assert mine["failures"] == failures
        assert mine["accuracy"] == pytest.approx(accuracy, abs=1e-9), sequence.name
    curve = np.array(theirs["curve"])                   # float32 inside the toolkit
    assert len(curve) == len(ours["curve"])
    np.testing.assert_allclose(ours["curve"][1:], curve[1:], atol=1e-6)
    assert ours["eao"] == pytest.approx(float(np.mean(curve[LOW:HIGH + 1])), abs=1e-6)
