"""Export and serving: the SavedModel of a tracker, run by examples/serve_savedmodel.py in a process where tf_lu cannot
be imported, tracks like the Python tracker; saved_model_cli reads it; host-side updates cannot be exported."""
import ast
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT
from tf_lu.data.sequences import read_otb_sequence, write_otb_folder
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError
from tf_lu.evaluation.otb import load_results_file, run_sequence
from tf_lu.export.card import cli_commands
from tf_lu.export.exporter import export_tracker
from tf_lu.tracking.registry import build_tracker

EXAMPLE = os.path.join(ROOT, "examples", "serve_savedmodel.py")
ALLOWED_IMPORTS = {"argparse", "os", "re", "sys", "time", "numpy", "tensorflow", "PIL", "cv2"}
# Runs a script with every import of the packages named in BLOCKED failing, whatever way they are installed.
BLOCKER = '''import importlib.abc, runpy, sys
BLOCKED = {blocked!r}
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ModuleNotFoundError("No module named " + repr(name))
sys.meta_path.insert(0, Blocked())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
'''


def run_without(tmp_path, blocked, *args):
    """Run ``python -I blocker.py ARGS`` in ``tmp_path`` (isolated: no PYTHONPATH, no current folder on the path) with
    the top-level packages ``blocked`` unimportable."""
    blocker = tmp_path / "blocker.py"
    blocker.write_text(BLOCKER.format(blocked=tuple(blocked)))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-I", str(blocker), *map(str, args)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=900)


def run_without_tf_lu(tmp_path, *args):
    return run_without(tmp_path, ["tf_lu"], *args)


def test_the_example_imports_only_tensorflow_numpy_and_an_image_reader():
    tree = ast.parse(open(EXAMPLE, encoding="utf-8").read())
    names = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
             for alias in node.names}
    names |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert names <= ALLOWED_IMPORTS and "tf_lu" not in names


def test_host_side_updates_opencv_trackers_and_used_folders_are_not_exported(tmp_path):
    with pytest.raises(TfLuError, match="runs on the host"):
        export_tracker("siamfc-sgd", str(tmp_path / "sgd"))
    with pytest.raises(TfLuError, match="OpenCV"):
        export_tracker("opencv-kcf", str(tmp_path / "kcf"))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(TfLuError, match="not empty"):
        export_tracker("siamfc-none", str(tmp_path / "used"))
    assert not (tmp_path / "sgd").exists() or not os.listdir(tmp_path / "sgd")


@pytest.mark.slow
def test_served_savedmodel_tracks_like_the_python_tracker_without_tf_lu(tmp_path):
    model = tmp_path / "model"
    result = export_tracker("siamfc-learned", str(model))
    assert set(result["signatures"]) >= {"init", "step", "serving_default", "init_batch", "step_batch"}
    card = open(result["card"], encoding="utf-8").read()
    assert "siamfc-learned" in card and "updater.weights.h5" in card and "sha256:" in card

    sequence = generate_sequence(21, SyntheticConfig(num_frames=12, height=120, width=160), name="served")
    write_otb_folder(sequence, str(tmp_path / "data" / "served"))
    expected, _ = run_sequence(build_tracker("siamfc-learned"), read_otb_sequence(str(tmp_path / "data" / "served")))

    (tmp_path / "check.py").write_text("import tf_lu\n")
    blocked = run_without_tf_lu(tmp_path, tmp_path / "check.py")
    assert blocked.returncode != 0 and "No module named 'tf_lu'" in blocked.stderr
    served = run_without_tf_lu(tmp_path, EXAMPLE, "--model", model, "--data", tmp_path / "data", "--out",
                               tmp_path / "results")
    assert served.returncode == 0, served.stderr[-2000:]
    boxes = load_results_file(str(tmp_path / "results" / "served.txt"))
    assert boxes.shape == expected.shape
    assert np.abs(boxes - expected).max() <= 0.5

    cli_folder = os.path.dirname(sys.executable)
    if os.path.isfile(os.path.join(cli_folder, "saved_model_cli")):
        shown = subprocess.run([os.path.join(cli_folder, "saved_model_cli"), "show", "--dir", str(model), "--all"],
                               capture_output=True, text=True)
        assert shown.returncode == 0 and "serving_default" in shown.stdout and "init_batch" in shown.stdout
        # the card's commands: init, then one step, through saved_model_cli's own (TF1-style) loader
        env = {**os.environ, "PATH": cli_folder + os.pathsep + os.environ.get("PATH", "")}
        for command in cli_commands(str(model), sorted(build_tracker("siamfc-learned").graph.state_spec)):
            ran = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
            assert ran.returncode == 0, ran.stderr[-2000:]
        assert "Result for output key box" in ran.stdout
        assert np.load(tmp_path / "state" / "center_box.npy").shape == (4,)


def test_compare_with_python_reports_each_sequence_and_the_largest_difference():
    from tf_lu.export.check import compare_with_python
    tracker = build_tracker("siamfc-none")

    class Shifted:
        """Stands in for a served model: the same tracker, every box 0.25 px to the right."""
        def init(self, image, box):
            return tracker.init(image, box)

        def update(self, image):
            return tracker.update(image) + [0.25, 0.0, 0.0, 0.0]

    sequences = [generate_sequence(40 + i, SyntheticConfig(num_frames=4, height=90, width=120), name=f"c{i}")
                 for i in range(2)]
    reported = []
    result = compare_with_python(Shifted(), tracker, sequences, report=lambda name, row: reported.append(name))
    assert reported == ["c0", "c1"] and result["max_diff_px"] == pytest.approx(0.25)
    assert result["python_fps"] > 0 and result["served_fps"] > 0
