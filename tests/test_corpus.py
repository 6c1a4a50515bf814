"""A corpus of malformed and unusual inputs, written by the tests, fed to ``tf-lu`` in-process.

A bad input must end with exit status 2, one line ``error: ...`` on stderr, no traceback and nothing left in the
output folder; a valid but unusual one (grayscale, RGBA or 16-bit frames, a PNG named .jpg, CRLF or a BOM in a box
file, a path with spaces and non-ASCII characters, a one-frame video, a data folder whose name holds a comma) must
be tracked.
"""
import json
import os

import cv2
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from tf_lu.cli.main import main
from tf_lu.resources import config_dir

BOX = "20,16,24,20"                       # 0-based x,y,w,h inside the 96x80 frames below
GT = "21,17,24,20"                        # the same box, 1-based, as groundtruth_rect.txt writes it
LEARNED = os.path.join(config_dir("trackers"), "siamfc-learned.yaml")
NONE = os.path.join(config_dir("trackers"), "siamfc-none.yaml")


def frame(index, size=(80, 96)):
    """A textured frame with a bright square that moves one pixel per frame."""
    rng = np.random.default_rng(index)
    image = (rng.random((*size, 3)) * 60).astype(np.uint8)
    image[16 + index % 4:36 + index % 4, 20 + index:44 + index] = (230, 200, 40)
    return image


def image_folder(root, count=4, name="img", writer=None):
    folder = os.path.join(str(root), name)
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        path = os.path.join(folder, f"{i + 1:04d}.jpg")
        (writer or (lambda p, a: Image.fromarray(a).save(p, format="JPEG")))(path, frame(i))
    return folder


def otb_dataset(root, gt_text=None, count=4, sequence="seq"):
    """``root`` holding one OTB-layout sequence; returns ``root``."""
    image_folder(os.path.join(str(root), sequence), count)
    text = gt_text if gt_text is not None else "\n".join([GT] * count) + "\n"
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(os.path.join(str(root), sequence, "groundtruth_rect.txt"), mode) as handle:
        handle.write(text)
    return str(root)


def run(argv, capsys):
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def files_under(folder):
    return [os.path.join(b, n) for b, _, names in os.walk(folder) for n in names] if os.path.isdir(folder) else []


def assert_one_line_error(code, err, out_dir=None, fragment=None):
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    if fragment:
        assert fragment in lines[0], lines[0]
    if out_dir is not None:
        assert files_under(out_dir) == [], files_under(out_dir)


def track(source, out, box=BOX, tracker="opencv-kcf", *extra):
    return ["track", "--source", source, "--box=" + box, "--tracker", tracker, "--out", out, "--no-video",
            "--quiet", *extra]


def read_boxes(out):
    return np.loadtxt(os.path.join(out, "boxes.txt"), delimiter=",", ndmin=2)


# ------------------------------------------------------------------------------------------------- frames (track)

def write_bytes(content):
    return lambda path, array: open(path, "wb").write(content)


def truncated_jpeg(path, array):
    Image.fromarray(array).save(path, format="JPEG")
    data = open(path, "rb").read()
    open(path, "wb").write(data[:len(data) // 2])


BAD_FRAMES = {
    "random bytes": write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 500, dtype=np.uint8))),
    "empty file": write_bytes(b""),
    "truncated JPEG": truncated_jpeg,
    "text named .jpg": write_bytes(b"this is not an image\n"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FRAMES))
@pytest.mark.parametrize("position", [0, 2])
def test_unreadable_frames(tmp_path, capsys, kind, position):
    folder = image_folder(tmp_path)
    BAD_FRAMES[kind](os.path.join(folder, f"{position + 1:04d}.jpg"), frame(position))
    out = str(tmp_path / "out")
    code, _, err = run(track(folder, out), capsys)
    assert_one_line_error(code, err, out, f"{position + 1:04d}.jpg")


def png_named_jpg(path, array):
    Image.fromarray(array).save(path, format="PNG")


def grayscale(path, array):
    Image.fromarray(array[:, :, 1]).save(path, format="PNG")


def rgba(path, array):
    Image.fromarray(np.dstack([array, np.full(array.shape[:2], 200, np.uint8)])).save(path, format="PNG")


def sixteen_bit(path, array):
    cv2.imwrite(path[:-4] + ".png", (array[:, :, 1].astype(np.uint16) * 257))
    os.replace(path[:-4] + ".png", path)


@pytest.mark.parametrize("writer", [png_named_jpg, grayscale, rgba, sixteen_bit])
def test_unusual_but_valid_frames_are_tracked(tmp_path, capsys, writer):
    folder = image_folder(tmp_path, writer=writer)
    out = str(tmp_path / "out")
    code, stdout, err = run(track(folder, out), capsys)
    assert code == 0, err
    boxes = read_boxes(out)
    assert boxes.shape == (4, 4) and np.all(np.isfinite(boxes))


def test_a_frame_of_another_size_mid_sequence_is_tracked_within_it(tmp_path, capsys):
    folder = image_folder(tmp_path)
    Image.fromarray(frame(2, size=(60, 70))).save(os.path.join(folder, "0003.jpg"), format="JPEG")
    out = str(tmp_path / "out")
    code, _, err = run(track(folder, out), capsys)
    assert code == 0, err
    x, y, w, h = read_boxes(out)[2]
    assert np.isfinite([x, y, w, h]).all() and x < 70 and y < 60


def test_a_path_with_spaces_and_non_ascii_characters(tmp_path, capsys):
    folder = image_folder(tmp_path / "my clips", name="vidéo 東京")
    out = str(tmp_path / "résultats et boîtes")
    code, _, err = run(track(folder, out), capsys)
    assert code == 0, err
    assert read_boxes(out).shape == (4, 4)


@pytest.mark.parametrize("make, fragment", [
    (lambda root: str(root / "missing"), "no such video file or image folder"),
    (lambda root: os.makedirs(root / "empty") or str(root / "empty"), "no image files"),
    (lambda root: (root / "notes.txt").write_text("hello") and str(root / "notes.txt"), "not a video file"),
])
def test_bad_sources(tmp_path, capsys, make, fragment):
    out = str(tmp_path / "out")
    code, _, err = run(track(make(tmp_path), out), capsys)
    assert_one_line_error(code, err, out, fragment)


# ------------------------------------------------------------------------------------------------------ videos

def write_video(path, count):
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (96, 80))
    for i in range(count):
        writer.write(frame(i)[:, :, ::-1])
    writer.release()
    return path


def test_a_one_frame_video_is_tracked(tmp_path, capsys):
    video = write_video(str(tmp_path / "one.avi"), 1)
    out = str(tmp_path / "out")
    code, _, err = run(track(video, out), capsys)
    assert code == 0, err
    assert read_boxes(out).shape == (1, 4)


def test_a_short_video_is_tracked(tmp_path, capsys):
    video = write_video(str(tmp_path / "five.avi"), 5)
    out = str(tmp_path / "out")
    code, _, err = run(track(video, out), capsys)
    assert code == 0, err
    assert read_boxes(out).shape == (5, 4)


@pytest.mark.parametrize("content", [b"", b"\x00" * 64, b"RIFF....AVI garbage that is not a video"])
def test_a_video_that_cannot_be_opened(tmp_path, capsys, content):
    path = tmp_path / "broken.avi"
    path.write_bytes(content)
    out = str(tmp_path / "out")
    code, _, err = run(track(str(path), out), capsys)
    assert_one_line_error(code, err, out, "broken.avi")


# ---------------------------------------------------------------------------------------------- first box (--box)

@pytest.mark.parametrize("box, fragment", [
    ("nan,10,20,20", "finite"),
    ("10,10,inf,20", "finite"),
    ("10,10,0,20", "zero size"),
    ("10,10,-5,20", "zero size"),
    ("500,500,20,20", "outside"),
    ("-100,10,20,20", "outside"),
    ("0,0,1e300,1e300", "times the"),
    ("-1e300,-1e300,1e300,1e300", "times the"),
    ("1,2,3", "4 numbers"),
    ("1,2,3,4,5", "4 numbers"),
    ("a,b,c,d", "4 numbers"),
    ("1;2;3;4", "4 numbers"),
])
def test_bad_first_boxes(tmp_path, capsys, box, fragment):
    out = str(tmp_path / "out")
    code, _, err = run(track(image_folder(tmp_path), out, box=box), capsys)
    assert_one_line_error(code, err, out, fragment)


def test_a_huge_first_box_never_reaches_the_graph(tmp_path, capsys):
    out = str(tmp_path / "out")
    code, _, err = run(track(image_folder(tmp_path), out, "0,0,1e300,1e300", "siamfc-none"), capsys)
    assert_one_line_error(code, err, out, "times the")


# ------------------------------------------------------------------------------------------ box files (benchmark)

def benchmark(data, out, *extra):
    return ["benchmark", "--data", data, "--trackers", "opencv-kcf", "--out", out, "--no-progress", *extra]


@pytest.mark.parametrize("text, fragment", [
    (GT + "\n" + GT + "\n", "2 boxes but 4 frames"),
    ("\n".join([GT] * 6) + "\n", "6 boxes but 4 frames"),
    ("", "no boxes"),
    ("NaN,NaN,NaN,NaN\n" + "\n".join([GT] * 3) + "\n", "the first box"),
    ("21,17,0,20\n" + "\n".join([GT] * 3) + "\n", "zero size"),
    ("21,17,-4,20\n" + "\n".join([GT] * 3) + "\n", "zero size"),
    ("900,900,24,20\n" + "\n".join([GT] * 3) + "\n", "outside"),
    ("1,1,1e300,1e300\n" + "\n".join([GT] * 3) + "\n", "times the"),
    ("21;17;24;20\n" * 4, "line 1"),
    ("21,17,24\n" * 4, "line 1"),
    ("21,17,24,20,5\n" * 4, "line 1"),
    ("x,17,24,20\n" * 4, "line 1"),
    (b"\xff\xfe\x00garbage" * 4, "groundtruth_rect.txt"),
])
def test_bad_box_files(tmp_path, capsys, text, fragment):
    data = otb_dataset(tmp_path / "data", text)
    out = str(tmp_path / "out")
    code, _, err = run(benchmark(data, out), capsys)
    assert_one_line_error(code, err, out, fragment)


@pytest.mark.parametrize("text", [
    "\r\n".join([GT] * 4) + "\r\n",                       # CRLF
    "\ufeff" + "\n".join([GT] * 4) + "\n",                # a byte-order mark
    "\n".join(["21\t17\t24\t20"] * 4) + "\n",             # tabs
    "\n".join(["21 17 24 20"] * 4) + "\n\n\n",           # spaces, blank lines at the end
])
def test_unusual_but_valid_box_files(tmp_path, capsys, text):
    data = otb_dataset(tmp_path / "data", text)
    out = str(tmp_path / "out")
    code, _, err = run(benchmark(data, out), capsys)
    assert code == 0, err
    assert json.load(open(os.path.join(out, "summary.json")))["trackers"]["opencv-kcf"]["frames"] == 4


def test_a_polygon_box_file_is_read_or_refused_in_one_line(tmp_path, capsys):
    polygon = "21,17,45,17,45,37,21,37"
    data = otb_dataset(tmp_path / "data", "\n".join([polygon] * 4) + "\n")
    out = str(tmp_path / "out")
    code, _, err = run(benchmark(data, out), capsys)
    if code != 0:
        assert_one_line_error(code, err, out, "line 1")
    else:
        assert os.path.isfile(os.path.join(out, "summary.json"))


def test_a_data_folder_whose_name_holds_a_comma(tmp_path, capsys):
    data = otb_dataset(tmp_path / "clips, set 1")
    out = str(tmp_path / "out")
    code, _, err = run(benchmark(data, out), capsys)
    assert code == 0, err
    assert "seq" in json.load(open(os.path.join(out, "summary.json")))["trackers"]["opencv-kcf"]["sequences"]


@pytest.mark.parametrize("case, fragment", [
    ("missing data folder", "data folder not found"),
    ("data is a file", "is a file, not a folder of sequences"),
    ("unknown sequence", "no OTB-layout sequence named nope"),
    ("no sequences", "no OTB-layout sequences"),
    ("out is a file", "out"),
])
def test_bad_benchmark_arguments(tmp_path, capsys, case, fragment):
    data, out, extra = otb_dataset(tmp_path / "data"), str(tmp_path / "out"), []
    if case == "missing data folder":
        data = str(tmp_path / "nowhere")
    elif case == "data is a file":
        data = os.path.join(data, "seq", "groundtruth_rect.txt")
    elif case == "unknown sequence":
        extra = ["--sequences", "nope"]
    elif case == "no sequences":
        os.makedirs(tmp_path / "empty")
        data = str(tmp_path / "empty")
    else:
        open(out, "w").write("a file")
    code, _, err = run(benchmark(data, out, *extra), capsys)
    assert_one_line_error(code, err, None if case == "out is a file" else out, fragment)


# --------------------------------------------------------------------------------------------------------- configs

@pytest.mark.parametrize("files, fragment", [
    ({"t.yaml": "track: [1, 2\n"}, "malformed config"),
    ({"t.yaml": "base: t.yaml\n"}, "chain returns"),
    ({"t.yaml": "base: u.yaml\n", "u.yaml": "base: t.yaml\n"}, "chain returns"),
    ({"t.yaml": "base: 5\n"}, "'base' must be"),
    ({"t.yaml": "base: {a: 1}\n"}, "'base' must be"),
    ({"t.yaml": "track: {scale_num: 0}\n"}, "track.scale_num"),
    ({"t.yaml": "track: {instance_size: 100}\n"}, "track.instance_size"),
    ({"t.yaml": "updater: {kind: ema, ema: {alpha: 1.5}}\n"}, "updater.ema.alpha"),
    ({"t.yaml": "updater: {speed: 3}\n"}, "updater.speed"),
    ({"t.yaml": "- a\n- b\n"}, "expected a mapping"),
    ({"t.yaml": "track: {scale_num: 101}\n"}, "track.scale_num"),
    ({"t.yaml": "track: {response_up: 1000}\n"}, "track.response_up"),
    ({"t.yaml": f"base: {NONE}\ntrack: {{exemplar_size: 3, instance_size: 5}}\n"}, "too small for the network"),
    ({"t.yaml": f"base: {NONE}\ntrack: {{exemplar_size: 40, instance_size: 60}}\n"}, "track.exemplar_size"),
    ({"t.yaml": f"base: {NONE}\nbackbone: {{width: 0.3}}\n"}, "cannot load weights"),
    ({"t.yaml": f"base: {LEARNED}\nupdater: {{learned: {{hidden: 7}}}}\n"}, "cannot load updater weights"),
    ({"t.yaml": f"base: {NONE}\nweights: nowhere.weights.h5\n"}, "weights file not found"),
    ({}, "not found"),
])
def test_bad_tracker_configs(tmp_path, capsys, files, fragment):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    out = str(tmp_path / "out")
    code, _, err = run(track(image_folder(tmp_path), out, BOX, str(tmp_path / "t.yaml")), capsys)
    assert_one_line_error(code, err, out, fragment)


# ----------------------------------------------------------------------------------------------- training records

def record_folder(root, name="pairs", shards=2, per_shard=5, manifest=True):
    folder = os.path.join(str(root), name)
    os.makedirs(folder)
    for shard in range(shards):
        with tf.io.TFRecordWriter(os.path.join(folder, f"pairs-{shard:05d}-of-{shards:05d}.tfrecord")) as writer:
            for k in range(per_shard):
                writer.write(bytes([k]) * 300)
    if manifest:
        json.dump({"kind": "pairs", "count": shards * per_shard, "shards": shards},
                  open(os.path.join(folder, "manifest.json"), "w"))
    return folder


def damage(path, how):
    data = bytearray(open(path, "rb").read())
    if how == "truncated":
        data = data[:len(data) - 100]
    elif how == "random":
        data = bytearray(np.random.default_rng(1).integers(0, 256, len(data), dtype=np.uint8).tobytes())
    elif how == "flipped":
        data[len(data) // 2] ^= 0x01
    else:
        data = bytearray()
    open(path, "wb").write(bytes(data))


@pytest.mark.parametrize("how", ["truncated", "random", "flipped", "emptied"])
def test_corrupt_pair_shards(tmp_path, capsys, how):
    folder = record_folder(tmp_path)
    shard = os.path.join(folder, "pairs-00001-of-00002.tfrecord")
    damage(shard, how)
    out = str(tmp_path / "run")
    code, _, err = run(["train-extractor", "--records", folder, "--out", out, "--steps", "2"], capsys)
    assert_one_line_error(code, err, out, "pairs-00001-of-00002.tfrecord" if how != "emptied" else "manifest")
    assert not os.path.exists(out)


def test_corrupt_feature_shard(tmp_path, capsys):
    folder = record_folder(tmp_path, "feat", shards=1, manifest=False)
    os.rename(os.path.join(folder, "pairs-00000-of-00001.tfrecord"), os.path.join(folder, "feat-L10-00000.tfrecord"))
    damage(os.path.join(folder, "feat-L10-00000.tfrecord"), "flipped")
    out = str(tmp_path / "run")
    code, _, err = run(["train-updater", "--config", LEARNED, "--features", folder,
                        "--out", out], capsys)
    assert_one_line_error(code, err, out, "feat-L10-00000.tfrecord")


def test_corrupt_sequence_shard_for_feature_caching(tmp_path, capsys):
    folder = record_folder(tmp_path, "seq", shards=1, manifest=False)
    os.rename(os.path.join(folder, "pairs-00000-of-00001.tfrecord"), os.path.join(folder, "seq-L10-00000.tfrecord"))
    damage(os.path.join(folder, "seq-L10-00000.tfrecord"), "truncated")
    out = str(tmp_path / "feat")
    code, _, err = run(["cache-features", "--config", LEARNED, "--sequences", folder, "--out", out], capsys)
    assert_one_line_error(code, err, out, "seq-L10-00000.tfrecord")
    assert not os.path.exists(out)


def test_a_badly_named_sequence_shard(tmp_path, capsys):
    folder = record_folder(tmp_path, "seq", shards=1, manifest=False)
    os.rename(os.path.join(folder, "pairs-00000-of-00001.tfrecord"), os.path.join(folder, "seq-Lten-00000.tfrecord"))
    out = str(tmp_path / "feat")
    code, _, err = run(["cache-features", "--config", LEARNED, "--sequences", folder, "--out", out], capsys)
    assert_one_line_error(code, err, out, "seq-Lten-00000.tfrecord")


@pytest.mark.parametrize("case, fragment", [
    ("records folder missing", "records folder not found"),
    ("out is a file", "not a folder"),
    ("steps 0", "train.steps"),
    ("steps per epoch 0", "train.steps_per_epoch"),
    ("crops too small", "train.exemplar_size"),
])
def test_bad_extractor_training_arguments(tmp_path, capsys, case, fragment):
    folder, out = record_folder(tmp_path), str(tmp_path / "run")
    argv = ["train-extractor", "--records", folder, "--out", out, "--steps", "2"]
    if case == "records folder missing":
        argv[2] = str(tmp_path / "nowhere")
    elif case == "out is a file":
        open(out, "w").write("a file")
    elif case == "steps 0":
        argv[-1] = "0"
    elif case == "steps per epoch 0":
        argv += ["--steps-per-epoch", "0"]
    else:
        open(tmp_path / "small.yaml", "w").write("train: {exemplar_size: 31, instance_size: 63}\n")
        argv += ["--config", str(tmp_path / "small.yaml")]
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, None if case == "out is a file" else out, fragment)


@pytest.mark.parametrize("case, fragment", [
    ("features folder missing", "features folder not found"),
    ("steps 0", "meta.steps"),
    ("no feature meta", "feature_meta.json"),
    ("broken feature meta", "feature_meta.json"),
])
def test_bad_updater_training_arguments(tmp_path, capsys, case, fragment):
    out = str(tmp_path / "run")
    argv = ["train-updater", "--config", LEARNED, "--features", str(tmp_path / "nowhere"), "--out", out]
    if case != "features folder missing":
        argv[4] = record_folder(tmp_path, "feat", shards=1, manifest=False)
    if case == "steps 0":
        argv += ["--steps", "0"]
    elif case == "broken feature meta":
        open(os.path.join(argv[4], "feature_meta.json"), "w").write("{not json")
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, out, fragment)


# -------------------------------------------------------------------------- every argument checked before any work

EMA = os.path.join(config_dir("trackers"), "siamfc-ema.yaml")
UPDATER_HALF = os.path.join(config_dir(), "updater_siamfc_half.yaml")


def two_sequences(root):
    otb_dataset(root, sequence="first")
    return otb_dataset(root, sequence="second")


SEEDED = {
    "make-synthetic": lambda root, out: ["make-synthetic", "--out", out, "--count", 1, "--frames", 3],
    "make-crop-walk": lambda root, out: ["make-crop-walk", "--crops", otb_dataset(root / "crops"), "--out", out],
    "make-pairs": lambda root, out: ["make-pairs", "--out", out, "--synthetic", 1, "--pairs", 4],
    "lookalike": lambda root, out: ["lookalike", "--trackers", "opencv-kcf", "--count", 1, "--frames", 4,
                                    "--out", out],
}


@pytest.mark.parametrize("command", sorted(SEEDED))
def test_a_negative_seed(tmp_path, capsys, command):
    out = str(tmp_path / "out")
    code, _, err = run([*SEEDED[command](tmp_path, out), "--seed", -1], capsys)
    assert_one_line_error(code, err, out, "--seed: must be at least 0, got -1")


@pytest.mark.parametrize("argv, fragment", [
    (["lookalike", "--count", 0], "--count: must be at least 1"),
    (["lookalike", "--frames", 1], "--frames: must be at least 2"),
    (["demo", "--count", 0], "--count: must be at least 1"),
    (["make-synthetic", "--out", "o", "--height", 8], "--height: must be at least 16"),
    (["make-synthetic", "--out", "o", "--frames", 0], "--frames: must be at least 1"),
    (["make-crop-walk", "--crops", ".", "--out", "o", "--max-frames", 0], "--max-frames: must be at least 1"),
    (["make-pairs", "--out", "o", "--pairs", 0], "--pairs: must be at least 1"),
    (["track", "--source", ".", "--box", BOX, "--tracker", "opencv-kcf", "--out", "o", "--max-frames", 0],
     "--max-frames: must be at least 1"),
    (["cache-features", "--config", LEARNED, "--sequences", ".", "--out", "o", "--jitter-sigma", -1],
     "--jitter-sigma: must be at least 0"),
    (["cache-features", "--config", LEARNED, "--sequences", ".", "--out", "o", "--jitter-scale", 2],
     "--jitter-scale: must be from 0.0 to 0.9"),
    (["mine-hard-pairs", "--config", NONE, "--records", ".", "--out", "o", "--fraction", 0], "--fraction: must be above 0"),
    (["mine-hard-pairs", "--config", NONE, "--records", ".", "--out", "o", "--limit", 0], "--limit: must be at least 1"),
    (["ablate", "--features", ".", "--data", ".", "--out", "o", "--steps", 0], "--steps: must be at least 1"),
    (["search", "updater", "--features", ".", "--crop-walks", ".", "--out", "o", "--trials", 0],
     "--trials: must be at least 1"),
    (["time", "frames", "--trackers", "opencv-kcf", "--frames", 0], "--frames: must be at least 1"),
    (["time", "memory", "--tracker", "opencv-kcf", "--frames", "10,0"], "--frames: must be at least 1"),
    (["time", "memory", "--tracker", "opencv-kcf", "--loop-frames", 1], "--loop-frames: must be at least 2"),
    (["time", "backend", "--out", "o", "--repeats", 0], "--repeats: must be at least 1"),
    (["curate", "--dataset", "got10k", "--root", ".", "--out", "o", "--seed", -3], "--seed: must be at least 0"),
])
def test_a_value_out_of_range(tmp_path, capsys, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, fragment=fragment)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("threads", ["0", "-2", "1,0", "two"])
def test_time_pipeline_thread_counts(capsys, threads):
    code, _, err = run(["time", "pipeline", "--threads", threads], capsys)
    assert_one_line_error(code, err, fragment="--threads")


@pytest.mark.parametrize("command", ["evaluate-updater --out", "time pipeline --json"])
@pytest.mark.parametrize("where, fragment", [("a folder", "is a folder"), ("a missing parent", "does not exist")])
def test_an_output_file_that_cannot_be_written(tmp_path, capsys, command, where, fragment):
    target = tmp_path if where == "a folder" else tmp_path / "nowhere" / "scores.json"
    if command.startswith("evaluate-updater"):
        argv = ["evaluate-updater", "--config", LEARNED, "--features", tmp_path, "--out", target]
    else:
        argv = ["time", "pipeline", "--json", target]
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, fragment=fragment)
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("option", ["--shards", "--batch-size"])
def test_mining_with_zero_shards_or_batch(tmp_path, capsys, option):
    out = str(tmp_path / "mined")
    code, _, err = run(["mine-hard-pairs", "--config", NONE, "--records", record_folder(tmp_path), "--out", out,
                        option, 0], capsys)
    assert_one_line_error(code, err, out, f"{option}: must be at least 1")


def test_mining_a_folder_of_sequence_records(tmp_path, capsys):
    folder = record_folder(tmp_path, "seq", shards=1, manifest=False)
    os.rename(os.path.join(folder, "pairs-00000-of-00001.tfrecord"), os.path.join(folder, "seq-L10-00000.tfrecord"))
    out = str(tmp_path / "mined")
    code, _, err = run(["mine-hard-pairs", "--config", NONE, "--records", folder, "--out", out], capsys)
    assert_one_line_error(code, err, out, "no pair records (pairs-*.tfrecord)")
    assert "seq-L10-00000.tfrecord" in err


def test_feature_caching_on_a_corrupt_shard_advises_only_what_it_has(tmp_path, capsys):
    folder = record_folder(tmp_path, "seq", shards=1, manifest=False)
    os.rename(os.path.join(folder, "pairs-00000-of-00001.tfrecord"), os.path.join(folder, "seq-L10-00000.tfrecord"))
    damage(os.path.join(folder, "seq-L10-00000.tfrecord"), "flipped")
    out = str(tmp_path / "feat")
    code, _, err = run(["cache-features", "--config", LEARNED, "--sequences", folder, "--out", out], capsys)
    assert_one_line_error(code, err, out, "rewrite it")
    assert "skip" not in err


@pytest.mark.parametrize("folds, fragment", [(5, "5 folds but only 2 video(s)"), (1, "--folds must be 0")])
def test_more_folds_than_videos(tmp_path, capsys, folds, fragment):
    out = str(tmp_path / "walks")
    code, _, err = run(["make-crop-walk", "--crops", two_sequences(tmp_path / "crops"), "--out", out,
                        "--folds", folds], capsys)
    assert_one_line_error(code, err, out, fragment)


@pytest.mark.parametrize("argv, fragment", [
    (["train-updater", "--config", EMA, "--features", ".", "--out", "run"], "needs an updater.kind: learned"),
    (["evaluate-updater", "--config", EMA, "--features", "."], "needs an updater.kind: learned"),
    (["time", "backend", "--config", NONE, "--out", "timing"], "needs an updater.kind: learned"),
    (["time", "memory", "--tracker", "opencv-kcf", "--set", "updater.alpha=0.5"], "no config for --set"),
    (["time", "memory", "--tracker", "siamfc-ema", "--set", "updater.speed=3"], "updater.speed"),
    (["export", "--tracker", "siamfc-none", "--out", "export", "--sequences", "a"], "--sequences works only with"),
    (["export", "--tracker", "siamfc-none", "--out", "export", "--check-data", "nowhere"], "folder not found"),
    (["export", "--tracker", "nope", "--out", "export"], "unknown tracker 'nope'"),
    (["track", "--source", ".", "--box", BOX, "--tracker", "nope", "--out", "o"], "unknown tracker 'nope'"),
])
def test_options_that_do_not_fit_are_refused_before_any_work(tmp_path, capsys, monkeypatch, argv, fragment):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(argv, capsys)
    assert_one_line_error(code, err, fragment=fragment)
    assert os.listdir(tmp_path) == []


def test_export_into_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "kept.txt").write_text("mine")
    code, _, err = run(["export", "--tracker", "siamfc-none", "--out", tmp_path], capsys)
    assert_one_line_error(code, err, fragment="is not empty")
    assert os.listdir(tmp_path) == ["kept.txt"]


def test_export_checked_on_an_unknown_sequence_writes_nothing(tmp_path, capsys):
    out = tmp_path / "export"
    code, _, err = run(["export", "--tracker", "siamfc-none", "--out", out, "--check-data", otb_dataset(tmp_path / "d"),
                        "--sequences", "nope"], capsys)
    assert_one_line_error(code, err, fragment="nope")
    assert not out.exists()


def test_the_printed_saved_model_cli_command_is_quoted(tmp_path, capsys, monkeypatch):
    import shlex
    from tf_lu.export import exporter
    from tf_lu.export.card import cli_commands
    out = str(tmp_path / "my exports, v1")
    monkeypatch.setattr(exporter, "export_tracker", lambda name, folder: {"signatures": {"init": None},
                                                                          "card": os.path.join(folder, "CARD.md")})
    code, stdout, err = run(["export", "--tracker", "siamfc-none", "--out", out], capsys)
    assert code == 0, err
    assert f"saved_model_cli show --dir {shlex.quote(out)} --all" in stdout and f"'{out}'" in stdout
    assert all(f"--dir {shlex.quote(out)} " in line for line in cli_commands(out, ["a"])[1:])


@pytest.mark.parametrize("tracker", ["opencv-kcf", "siamfc-none"])
def test_a_first_box_past_the_frame_is_cut_to_it_and_said(tmp_path, capsys, tracker):
    out = str(tmp_path / "out")
    code, stdout, err = run(track(image_folder(tmp_path), out, "-10,0,400,400", tracker), capsys)
    assert code == 0, err
    assert "the first box -10,0,400,400 reaches past the 96x80 frame" in stdout and "0,0,96,80" in stdout
    np.testing.assert_allclose(read_boxes(out)[0], [1, 1, 96, 80])        # 1-based, as tracked


@pytest.mark.slow
def test_a_finished_updater_run_is_reported_not_rerun(tmp_path, capsys, shipped_shape_features):
    argv = ["train-updater", "--config", UPDATER_HALF, "--features", shipped_shape_features, "--out", tmp_path / "run"]
    code, _, err = run([*argv, "--steps", 2], capsys)
    assert code == 0, err
    code, stdout, err = run([*argv, "--steps", 1], capsys)
    assert code == 0, err
    assert "already holds a finished run of 2 steps (asked for 1); nothing to do" in stdout
    assert "'steps_this_run': 0" in stdout and "'steps_this_run': 2" not in stdout


def count_cases(namespace):
    """How many cases the test functions in ``namespace`` make: one each, times the values of each parametrize."""
    total = 0
    for name, function in namespace.items():
        if name.startswith("test_") and name != "test_the_corpus_has_at_least_forty_cases":
            cases = 1
            for mark in getattr(function, "pytestmark", []):
                if mark.name == "parametrize":
                    cases *= len(mark.args[1])
            total += cases
    return total


def test_the_corpus_has_at_least_forty_cases():
    assert count_cases(globals()) >= 40
