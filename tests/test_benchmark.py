"""The OTB harness and ``tf-lu benchmark`` on a tiny generated OTB-layout fixture (OpenCV peers only, no TF)."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from tf_lu.data.sequences import read_otb_dataset
from tf_lu.errors import TfLuError
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.evaluation.otb import evaluate_result_dir, load_results_file, run_sequence
from tf_lu.tracking.peers import OPENCV_TRACKERS, OpenCVTracker
from test_cli import assert_user_error, run_cli

FRAMES, WIDTH, HEIGHT, SIDE = 5, 64, 48, 12


def square_frame(index):
    """A textured square moving 2 px right and 1 px down per frame (0-based box x=10+2i, y=12+i)."""
    rng = np.random.default_rng(0)
    image = np.full((HEIGHT, WIDTH, 3), 40, dtype=np.uint8)
    x, y = 10 + 2 * index, 12 + index
    image[y:y + SIDE, x:x + SIDE] = rng.integers(120, 255, size=(SIDE, SIDE, 3), dtype=np.uint8)
    return image


def write_sequence(root, name, frames=FRAMES, extra_box_lines=0):
    folder = os.path.join(root, name, "img")
    os.makedirs(folder)
    for i in range(frames):
        Image.fromarray(square_frame(i)).save(os.path.join(folder, f"{i + 1:04d}.png"))
    lines = [f"{11 + 2 * i},{13 + i},{SIDE},{SIDE}" for i in range(frames + extra_box_lines)]
    with open(os.path.join(root, name, "groundtruth_rect.txt"), "w") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.fixture
def data_dir(tmp_path):
    root = str(tmp_path / "data")
    write_sequence(root, "square")
    write_sequence(root, "square2", frames=4)
    return root


def test_run_benchmark_writes_results_summary_and_plots(data_dir, tmp_path):
    out = str(tmp_path / "out")
    sequences = read_otb_dataset(data_dir)
    summary = run_benchmark(["opencv-kcf", "opencv-csrt"], sequences, out, progress=False)

    with open(os.path.join(out, "summary.json")) as handle:
        on_disk = json.load(handle)
    assert on_disk == summary
    assert set(on_disk) == {"protocol", "machine", "trackers"} and on_disk["protocol"] == "otb"
    assert isinstance(on_disk["machine"], str) and "cores" in on_disk["machine"]
    assert list(on_disk["trackers"]) == ["opencv-kcf", "opencv-csrt"]
    for entry in on_disk["trackers"].values():
        assert set(entry) == {"auc", "precision", "fps", "frames", "sequences"}
        assert entry["frames"] == 9 and isinstance(entry["frames"], int)
        assert 0 <= entry["auc"] <= 1 and 0 <= entry["precision"] <= 1 and entry["fps"] > 0
        assert set(entry["sequences"]) == {"square", "square2"}
        for seq in entry["sequences"].values():
            assert set(seq) == {"auc", "precision", "fps"} and seq["fps"] > 0
        assert entry["auc"] == pytest.approx(np.mean([s["auc"] for s in entry["sequences"].values()]))

    for tracker in ("opencv-kcf", "opencv-csrt"):
        path = os.path.join(out, "results", tracker, "square.txt")
        with open(path) as handle:
            lines = handle.read().splitlines()
        assert len(lines) == FRAMES
        assert [float(v) for v in lines[0].split(",")] == [11, 13, SIDE, SIDE]  # 1-based, the init box
        np.testing.assert_allclose(load_results_file(path)[0], [10, 12, SIDE, SIDE])
    for name in ("summary.md", "success_plot.png", "precision_plot.png"):
        assert os.path.getsize(os.path.join(out, name)) > 0
    with open(os.path.join(out, "success_plot.png"), "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(os.path.join(out, "summary.md")) as handle:
        text = handle.read()
    assert "| tracker | mean AUC | precision@20 | fps | frames |" in text and "| square2 |" in text
    assert [n for n in os.listdir(out) if n.startswith(".")] == []  # no staging folder left

    # the summary is computed from the files themselves, so it regenerates exactly
    assert evaluate_result_dir(os.path.join(out, "results"), sequences) == {
        name: summary["trackers"][name] for name in sorted(summary["trackers"])}


class _Exploding:
    def init(self, image, box):
        pass

    def update(self, image):
        raise RuntimeError("boom")


def test_nothing_half_written(data_dir, tmp_path):
    sequences = read_otb_dataset(data_dir)
    out = str(tmp_path / "out")
    with pytest.raises(TfLuError, match="unknown tracker"):
        run_benchmark(["opencv-kcf", "no-such-tracker"], sequences, out, progress=False)
    assert not os.path.exists(out)
    with pytest.raises(RuntimeError, match="boom"):
        run_benchmark(["fake"], sequences, out, build=lambda name: _Exploding(), progress=False)
    assert os.listdir(out) == ["fingerprints.json"]          # the record of what the runs are made from, no result


def test_trackers_given_as_config_paths_are_filed_under_their_file_names(data_dir, tmp_path):
    sequences = read_otb_dataset(data_dir)
    built = []
    build = lambda name: built.append(name) or OpenCVTracker("kcf")
    summary = run_benchmark(["opencv-kcf", "/anywhere/my-kcf.yaml"], sequences, str(tmp_path / "out"), build=build,
                            progress=False)
    assert built == ["opencv-kcf", "/anywhere/my-kcf.yaml"]
    assert list(summary["trackers"]) == ["opencv-kcf", "my-kcf"]
    assert os.path.isfile(tmp_path / "out" / "results" / "my-kcf" / "square.txt")
    with pytest.raises(TfLuError, match="filed under the same name"):
        run_benchmark(["a/my-kcf.yaml", "b/my-kcf.yml"], sequences, str(tmp_path / "o2"), build=build,
                      progress=False)


def test_run_sequence_times_every_call(data_dir):
    sequence = read_otb_dataset(data_dir, ["square"])[0]
    boxes, times = run_sequence(OpenCVTracker("kcf"), sequence)
    assert boxes.shape == (FRAMES, 4) and len(times) == FRAMES and all(t >= 0 for t in times)
    np.testing.assert_allclose(boxes[0], sequence.init_box)


@pytest.mark.parametrize("kind", ["kcf", "csrt", "mosse"])
def test_opencv_tracker_accepts_grayscale_rgb_frames(kind):
    gray = [square_frame(i).mean(axis=2).astype(np.uint8) for i in range(3)]
    tracker = OpenCVTracker(kind)
    assert tracker.name == f"opencv-{kind}"
    tracker.init(np.repeat(gray[0][:, :, None], 3, axis=2), [10.0, 12.0, 12.0, 12.0])
    for frame in gray[1:]:
        box = tracker.update(np.repeat(frame[:, :, None], 3, axis=2))
        assert box.shape == (4,) and np.all(np.isfinite(box))


def test_opencv_tracker_keeps_last_box_on_failure():
    tracker = OpenCVTracker("mosse")
    tracker.init(square_frame(0), [10.5, 12.0, 12.0, 12.0])
    box = tracker.update(np.zeros((HEIGHT, WIDTH, 3), np.uint8))  # nothing to track: MOSSE reports failure
    assert np.all(np.isfinite(box))


def test_peer_table_and_unknown_kind():
    assert {"csrt", "kcf", "mil", "mosse", "medianflow", "boosting", "tld"} <= set(OPENCV_TRACKERS)
    with pytest.raises(TfLuError, match="unknown OpenCV tracker"):
        OpenCVTracker("goturn-2")


def benchmark(capsys, *args):
    return run_cli(capsys, "benchmark", *args)


def test_cli_smoke(data_dir, tmp_path, capsys):
    out = str(tmp_path / "out")
    code, stdout, err = benchmark(capsys, "--data", data_dir, "--trackers", "opencv-kcf", "--out", out,
                                  "--sequences", "square", "--max-frames", "3", "--no-progress")
    assert code == 0, err
    assert "| opencv-kcf |" in stdout
    with open(os.path.join(out, "results", "opencv-kcf", "square.txt")) as handle:
        assert len(handle.read().splitlines()) == 3
    with open(os.path.join(out, "summary.json")) as handle:
        assert list(json.load(handle)["trackers"]["opencv-kcf"]["sequences"]) == ["square"]


def test_cli_unknown_tracker(data_dir, tmp_path, capsys):
    code, _, err = benchmark(capsys, "--data", data_dir, "--trackers", "opencv-kcf,nope", "--out", tmp_path / "o",
                             "--no-progress")
    assert_user_error(code, err, "unknown tracker 'nope'")
    assert not os.path.exists(tmp_path / "o" / "summary.json")


def test_cli_missing_tracker_config_file(data_dir, tmp_path, capsys):
    code, _, err = benchmark(capsys, "--data", data_dir, "--trackers", tmp_path / "absent.yaml", "--out",
                             tmp_path / "o", "--no-progress")
    assert_user_error(code, err, "tracker config file not found")


def test_cli_box_count_mismatch(tmp_path, capsys):
    root = str(tmp_path / "data")
    write_sequence(root, "bad", extra_box_lines=2)
    code, _, err = benchmark(capsys, "--data", root, "--trackers", "opencv-kcf", "--out", tmp_path / "o",
                             "--no-progress")
    assert_user_error(code, err, "7 boxes but 5 frames")


def test_cli_missing_data_folder(tmp_path, capsys):
    code, _, err = benchmark(capsys, "--data", tmp_path / "absent", "--trackers", "opencv-kcf", "--out",
                             tmp_path / "o")
    assert_user_error(code, err, "data folder not found")


@pytest.mark.parametrize("args, fragment", [(("--trackers", " , "), "no tracker names given"),
                                            (("--trackers", "opencv-kcf", "--max-frames", "0"), "at least 1")])
def test_cli_bad_options(data_dir, tmp_path, capsys, args, fragment):
    code, _, err = benchmark(capsys, "--data", data_dir, "--out", tmp_path / "o", *args)
    assert_user_error(code, err, fragment)


def test_frame_timing_alternates_trackers_and_reports_against_the_first():
    from tf_lu.timing.frames import time_frames, timing_table

    class Recorder:
        def __init__(self, name, log):
            self.name, self.log = name, log

        def init(self, image, box):
            self.log.append(("init", self.name))

        def update(self, image):
            self.log.append(("update", self.name))
            return (0, 0, 1, 1)

    log = []
    timings = time_frames({"a": Recorder("a", log), "b": Recorder("b", log)}, frames=4, reinit_every=2, warmup=0,
                          size=(8, 8))
    assert [entry for entry in log if entry[0] == "update"][:4] == [("update", "a"), ("update", "b")] * 2
    assert log.count(("init", "a")) == 1 + 2 and timings["b"]["frames"] == 4
    table = timing_table(timings)
    assert table.splitlines()[2].startswith("| a |") and "| +0.00 | 1.00x |" in table.splitlines()[2]


def test_trackers_run_together_take_each_frame_in_rotating_turn_and_track_as_alone(data_dir):
    """The OTB runs of one sequence take turns of 2 frames here: each frame is decoded once, every tracker tracks the
    turn's frames, the first tracker of turn k being the k-th (mod n); each tracker's boxes equal those of its run
    alone."""
    from tf_lu.evaluation.otb import run_sequence_together

    class Logged(OpenCVTracker):
        def __init__(self, kind, log):
            super().__init__(kind)
            self.log = log

        def init(self, image, box):
            self.log.append(self.kind)
            return super().init(image, box)

        def update(self, image):
            self.log.append(self.kind)
            return super().update(image)

    sequence = read_otb_dataset(data_dir, ["square"])[0]
    decoded = []
    frame = sequence.frame
    sequence.frame = lambda index: decoded.append(index) or frame(index)
    log = []
    runs = run_sequence_together({"kcf": Logged("kcf", log), "mosse": Logged("mosse", log)}, sequence,
                                 turn_frames=2)
    assert decoded == list(range(FRAMES))
    assert log == ["kcf"] * 2 + ["mosse"] * 2 + ["mosse"] * 2 + ["kcf"] * 2 + ["kcf", "mosse"]
    sequence.frame = frame
    for kind in ("kcf", "mosse"):
        boxes, times = runs[kind]
        assert len(times) == FRAMES and all(t >= 0 for t in times)
        np.testing.assert_allclose(boxes, run_sequence(OpenCVTracker(kind), sequence)[0])
