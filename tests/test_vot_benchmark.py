"""The VOT benchmark end to end on a tiny generated VOT-layout fixture (OpenCV peers only, no TF graph)."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from tf_lu.cli.main import main
from tf_lu.data.vot_sequences import read_vot_dataset
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import FAILURE, INIT
from tf_lu.data.sequences import truncate_sequence
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.evaluation.protocols import VotProtocol
from tf_lu.evaluation.vot_results import evaluate_vot_results, read_run
from tf_lu.tracking.peers import OPENCV_TRACKERS

FRAMES, WIDTH, HEIGHT, SIDE = 12, 80, 60, 14


def square_frame(index, jump_at=None):
    """A textured square moving 2 px right per frame; from ``jump_at`` on it jumps to the other side."""
    rng = np.random.default_rng(0)
    image = np.full((HEIGHT, WIDTH, 3), 40, dtype=np.uint8)
    x, y = square_position(index, jump_at)
    image[y:y + SIDE, x:x + SIDE] = rng.integers(120, 255, size=(SIDE, SIDE, 3), dtype=np.uint8)
    return image


def square_position(index, jump_at=None):
    if jump_at is not None and index >= jump_at:
        return 60, 40
    return 8 + 2 * index, 10


def write_sequence(root, name, jump_at=None):
    folder = os.path.join(root, name, "color")
    os.makedirs(folder)
    lines = []
    for i in range(FRAMES):
        Image.fromarray(square_frame(i, jump_at)).save(os.path.join(folder, f"{i + 1:08d}.png"))
        x, y = square_position(i, jump_at)
        lines.append(f"{x},{y},{x + SIDE},{y},{x + SIDE},{y + SIDE},{x},{y + SIDE}")
    with open(os.path.join(root, name, "groundtruth.txt"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture
def vot_root(tmp_path):
    root = str(tmp_path / "vot")
    write_sequence(root, "glide")
    write_sequence(root, "jump", jump_at=5)  # the target teleports: a tracker fails there
    with open(os.path.join(root, "list.txt"), "w") as handle:
        handle.write("glide\njump\n")
    return root


@pytest.mark.skipif("kcf" not in OPENCV_TRACKERS, reason="OpenCV KCF not available")
def test_vot_benchmark_writes_results_summary_and_plots(vot_root, tmp_path):
    out = str(tmp_path / "out")
    sequences = read_vot_dataset(vot_root)
    summary = run_benchmark(["opencv-kcf"], sequences, out, VotProtocol(preset=(2, 6)), progress=False)
    with open(os.path.join(out, "summary.json")) as handle:
        assert json.load(handle) == summary
    assert summary["protocol"] == "vot" and summary["eao_range"] == [2, 6]
    entry = summary["trackers"]["opencv-kcf"]
    for key in ("eao", "accuracy", "robustness", "failures", "eao_realtime", "fps"):
        assert entry[key] is not None, key
    assert set(entry["sequences"]) == {"glide", "jump"}
    assert entry["sequences"]["glide"]["fps"] > 0 and entry["sequences"]["glide"]["failures_realtime"] is not None
    assert entry["sequences"]["jump"]["failures"] >= 1 and entry["failures"] >= 1
    assert 0 < entry["eao"] <= 1 and 0 < entry["accuracy"] <= 1
    for filename in ("summary.md", "expected_overlap.png", "ar_plot.png"):
        assert os.path.getsize(os.path.join(out, filename)) > 0
    assert "| opencv-kcf |" in open(os.path.join(out, "summary.md")).read()
    trajectory, times = read_run(os.path.join(out, "results"), "opencv-kcf", "baseline", sequences[1])
    failure = next(i for i, e in enumerate(trajectory) if isinstance(e, int) and e == FAILURE)
    assert trajectory[0] == INIT and failure >= 5 and trajectory[failure + 5] == INIT
    assert len(times) == FRAMES
    assert os.path.isfile(os.path.join(out, "results", "opencv-kcf", "realtime", "glide", "glide_001.txt"))
    # the summary is recomputed from the result files alone
    again, curves = evaluate_vot_results(os.path.join(out, "results"), sequences, preset=(2, 6))
    assert again == summary["trackers"] and set(curves["opencv-kcf"]) == {"baseline", "realtime"}


def test_truncation_keeps_the_regions(vot_root):
    sequence = read_vot_dataset(vot_root)[0]
    short = truncate_sequence(sequence, 4)
    assert len(short) == 4 and [r.tolist() for r in short.regions] == [r.tolist() for r in sequence.regions[:4]]
    assert type(short) is type(sequence) and truncate_sequence(sequence, 100) is sequence


def test_vot_benchmark_rejects_bad_settings_before_running(vot_root, tmp_path):
    sequences = read_vot_dataset(vot_root)
    with pytest.raises(TfLuError, match="unknown VOT preset"):
        run_benchmark(["opencv-kcf"], sequences, str(tmp_path / "o"), VotProtocol(preset="vot1999"))
    with pytest.raises(TfLuError, match="unknown tracker"):
        run_benchmark(["no-such-tracker"], sequences, str(tmp_path / "o"), VotProtocol())
    with pytest.raises(TfLuError, match="no sequences"):
        run_benchmark(["opencv-kcf"], [], str(tmp_path / "o"), VotProtocol())
    with pytest.raises(TfLuError, match="--protocol otb only"):
        run_benchmark(["opencv-kcf"], sequences, str(tmp_path / "o"), VotProtocol(), streams=2)
    assert not os.path.exists(str(tmp_path / "o"))


@pytest.mark.skipif("kcf" not in OPENCV_TRACKERS, reason="OpenCV KCF not available")
def test_benchmark_command_with_vot_protocol(vot_root, tmp_path, capsys):
    out = str(tmp_path / "cli")
    code = main(["benchmark", "--protocol", "vot", "--vot-preset", "vot2017", "--data", vot_root, "--trackers",
                 "opencv-kcf", "--out", out, "--max-frames", "8", "--no-progress"])
    printed = capsys.readouterr().out
    assert code == 0 and "| opencv-kcf |" in printed and "realtime EAO" in printed
    with open(os.path.join(out, "summary.json")) as handle:
        summary = json.load(handle)
    assert summary["protocol"] == "vot" and summary["eao_range"] == [100, 356]
    assert summary["trackers"]["opencv-kcf"]["frames"] == 16


def test_benchmark_command_on_a_malformed_vot_folder_is_a_one_line_error(vot_root, tmp_path, capsys):
    path = os.path.join(vot_root, "jump", "groundtruth.txt")
    lines = open(path).read().splitlines()
    lines[3] = "0,0,10,10,10,0,0,10"                      # corners out of order: a bow tie
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    code = main(["benchmark", "--protocol", "vot", "--data", vot_root, "--trackers", "opencv-kcf", "--out",
                 str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: ") and "groundtruth.txt, line 4: bad polygon" in err[0]
    with open(path, "w") as handle:                       # one line short of the 12 frames
        handle.write("\n".join(lines[:-1]).replace("0,0,10,10,10,0,0,10", lines[2]) + "\n")
    code = main(["benchmark", "--protocol", "vot", "--data", vot_root, "--trackers", "opencv-kcf", "--out",
                 str(tmp_path / "o")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "11 regions but 12 frames" in err[0]


def test_options_of_the_other_protocol_are_one_line_errors_before_any_work(vot_root, tmp_path, capsys):
    for args, fragment in ((["--vot-preset", "vot2017"], "--vot-preset works with --protocol vot only"),
                           (["--protocol", "vot", "--batch-streams", "2"], "--batch-streams works with --protocol otb")):
        out = str(tmp_path / "o")
        code = main(["benchmark", "--data", vot_root, "--trackers", "opencv-kcf", "--out", out, *args])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and fragment in err[0], err
        assert not os.path.exists(out)
