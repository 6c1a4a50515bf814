"""``tf-lu track`` end to end on tiny generated clips, plus the drawing / writing helpers behind it."""
import os

import numpy as np
import pytest
from PIL import Image

from test_cli import assert_user_error, run_cli
from tf_lu.errors import TfLuError

cv2 = pytest.importorskip("cv2")

H, W = 48, 64
BOX = (10, 10, 16, 16)  # 0-based x, y, w, h of the bright square in frame 0


def square_frame(i):
    """A dark RGB frame with a bright 16x16 square moving 2 px right per frame."""
    frame = np.full((H, W, 3), 30, np.uint8)
    frame[10:26, 10 + 2 * i:26 + 2 * i] = (230, 200, 90)
    return frame


@pytest.fixture
def image_folder(tmp_path):
    folder = tmp_path / "clip"
    folder.mkdir()
    for i in range(8):
        Image.fromarray(square_frame(i)).save(folder / f"{i + 1}.png")
    return folder


@pytest.fixture
def avi(tmp_path):
    path = tmp_path / "tiny.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (W, H))
    assert writer.isOpened()
    for i in range(5):
        writer.write(np.ascontiguousarray(square_frame(i)[:, :, ::-1]))
    writer.release()
    return path


@pytest.fixture
def run_tool(capsys):
    """``tf-lu track ARGS`` in-process: ``(exit status, stdout, stderr)``."""
    return lambda *args: run_cli(capsys, "track", *args)


def read_boxes(path):
    rows = [line.split(",") for line in path.read_text().splitlines()]
    assert all(len(row) == 4 for row in rows)
    return np.array(rows, dtype=np.float64)


def leftovers(folder):
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


# --------------------------------------------------------------------------------------------------------- CLI runs

def test_image_folder_to_gif(image_folder, tmp_path, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", image_folder, "--box", "10,10,16,16", "--tracker", "opencv-kcf",
                                 "--out", out, "--gif", "result.gif")
    assert code == 0, err
    assert "fps" in stdout
    boxes = read_boxes(out / "boxes.txt")
    assert boxes.shape == (8, 4)
    np.testing.assert_allclose(boxes[0], [11, 11, 16, 16])              # 1-based in the file
    assert np.all(np.isfinite(boxes))
    assert boxes[-1, 0] > boxes[0, 0]                                   # followed the square to the right
    with Image.open(out / "result.gif") as gif:
        assert gif.n_frames == 8 and gif.size == (W, H)
    assert leftovers(out) == ["boxes.txt", "result.gif"]                 # no temporary files left


def test_avi_to_video_one_based_max_frames(avi, tmp_path, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", avi, "--box", "11 11 16 16", "--one-based", "--tracker", "opencv-kcf",
                                 "--out", out, "--video", "annotated.avi", "--max-frames", 3)
    assert code == 0, err
    boxes = read_boxes(out / "boxes.txt")
    assert boxes.shape == (3, 4)
    np.testing.assert_allclose(boxes[0], [11, 11, 16, 16])
    capture = cv2.VideoCapture(str(out / "annotated.avi"))
    assert capture.isOpened() and int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 3
    capture.release()
    assert leftovers(out) == ["annotated.avi", "boxes.txt"]


def test_avi_default_mp4(avi, tmp_path, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", avi, "--box", "10,10,16,16", "--tracker", "opencv-kcf", "--out", out)
    assert code == 0, err
    assert read_boxes(out / "boxes.txt").shape == (5, 4)
    assert (out / "result.mp4").stat().st_size > 0


@pytest.mark.parametrize("box", ["1,2,3", "1,2,3,4,5", "a,b,c,d", "1,2,nan,4", ""])
def test_bad_box_syntax(image_folder, tmp_path, box, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", image_folder, "--box", box, "--tracker", "opencv-kcf", "--out", out)
    assert_user_error(code, err, "--box")
    assert not out.exists()


@pytest.mark.parametrize("box, fragment", [("100,100,10,10", "outside"), ("5,5,0,10", "zero size")])
def test_unusable_box(avi, tmp_path, box, fragment, run_tool):
    out = tmp_path / "out"
    code, _, err = run_tool("--source", avi, "--box", box, "--tracker", "opencv-kcf", "--out", out)
    assert_user_error(code, err, fragment)
    assert not out.exists()


def test_missing_source(tmp_path, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", tmp_path / "nowhere.mp4", "--box", "1,1,5,5", "--tracker", "opencv-kcf",
                                 "--out", out)
    assert_user_error(code, err, "nowhere.mp4")
    assert not out.exists()


def test_unknown_tracker(image_folder, tmp_path, run_tool):
    out = tmp_path / "out"
    code, stdout, err = run_tool("--source", image_folder, "--box", "10,10,16,16", "--tracker", "no-such-tracker",
                                 "--out", out)
    assert_user_error(code, err, "no-such-tracker", "opencv-kcf")             # lists the known names
    assert not out.exists()


def test_unknown_output_format(image_folder, tmp_path, run_tool):
    code, stdout, err = run_tool("--source", image_folder, "--box", "10,10,16,16", "--tracker", "opencv-kcf",
                                 "--out", tmp_path / "out", "--video", "result.mov")
    assert_user_error(code, err, ".mov")


def test_failure_leaves_no_half_written_outputs(image_folder, tmp_path, run_tool):
    (image_folder / "6.png").write_bytes(b"corrupt bytes, not a png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "boxes.txt").write_text("old results\n")                     # an earlier run's output stays untouched
    code, stdout, err = run_tool("--source", image_folder, "--box", "10,10,16,16", "--tracker", "opencv-kcf",
                                 "--out", out, "--gif", "result.gif", "--video", "result.mp4")
    assert_user_error(code, err, "6.png")
    assert leftovers(out) == ["boxes.txt"]
    assert (out / "boxes.txt").read_text() == "old results\n"


def test_runs_from_another_directory(image_folder, tmp_path, run_tool, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.chdir(tmp_path)
    code, stdout, err = run_tool("--source", image_folder, "--box", "10,10,16,16", "--tracker", "opencv-kcf",
                                 "--out", out, "--no-video")
    assert code == 0, err
    assert leftovers(out) == ["boxes.txt"]


# ------------------------------------------------------------------------------------------------ in-process helpers

def test_parse_box_and_format_lines():
    from tf_lu.apps.track import format_box_lines, parse_box
    np.testing.assert_allclose(parse_box("1,2,3,4"), [1, 2, 3, 4])
    np.testing.assert_allclose(parse_box(" 1.5 2\t3, 4 "), [1.5, 2, 3, 4])
    for bad in ("1,2,3", "1,2,3,x", "", "1,2,inf,4"):
        with pytest.raises(TfLuError, match="--box"):
            parse_box(bad)
    text = format_box_lines([[0, 0, 10, 20], [1.25, -2, 3.5, 4], [np.nan] * 4])
    assert text == "1,1,10,20\n2.25,-1,3.5,4\nNaN,NaN,NaN,NaN\n"


def test_track_sequence_counts_tracker_time_only():
    from tf_lu.data.sequences import Sequence
    from tf_lu.apps.track import track_sequence

    class Shift:
        def init(self, image, box):
            self.box = np.array(box, dtype=np.float64)

        def update(self, image):
            self.box = self.box + [1, 0, 0, 0]
            return self.box

    seen = []
    seq = Sequence(name="s", frames=[square_frame(i) for i in range(4)], boxes=[BOX])
    boxes, seconds = track_sequence(Shift(), seq, max_frames=3, progress=False,
                                    on_frame=lambda i, frame, box: seen.append((i, frame.shape, tuple(box))))
    np.testing.assert_allclose(boxes, [[10, 10, 16, 16], [11, 10, 16, 16], [12, 10, 16, 16]])
    assert [s[0] for s in seen] == [0, 1, 2] and seen[0][1] == (H, W, 3)
    assert 0 <= seconds < 1


def test_draw_box_copies_and_scales():
    from tf_lu.apps.visualize import draw_box, line_thickness
    image = np.zeros((H, W, 3), np.uint8)
    drawn = draw_box(image, BOX, (255, 0, 0))
    assert image.sum() == 0                                            # the input is untouched
    assert drawn.shape == image.shape and drawn.dtype == np.uint8
    assert drawn[10, 18, 0] == 255 and drawn[10, 18, 1] == 0            # top edge, red in RGB
    assert drawn[25, 18, 0] == 255 and drawn[18, 10, 0] == 255 and drawn[18, 25, 0] == 255
    assert drawn[18, 18].sum() == 0 and drawn[9, 18].sum() == 0         # inside and outside stay empty
    labelled = draw_box(image, BOX, (255, 0, 0), label="kcf")
    assert (labelled != drawn).any() and labelled[11:25, 11:25].sum() == 0   # label outside the box
    np.testing.assert_array_equal(draw_box(image, [np.nan] * 4, (255, 0, 0)), image)
    np.testing.assert_array_equal(draw_box(image, [1e30, -1e30, 1e31, 5], (255, 0, 0)), image)
    assert line_thickness((48, 64)) == 1 and line_thickness((480, 640)) == 2 and line_thickness((1080, 1920)) > 2


@pytest.mark.parametrize("ext", [".mp4", ".avi", ".gif"])
def test_write_annotated(tmp_path, ext):
    from tf_lu.apps.visualize import write_annotated
    path = tmp_path / f"out{ext}"
    boxes = np.array([[10 + 2 * i, 10, 16, 16] for i in range(4)], dtype=np.float64)
    frames = (square_frame(i) for i in range(4))
    assert write_annotated(frames, [boxes, boxes[:2]], str(path), fps=10, labels=["a", "b"]) == 4
    if ext == ".gif":
        with Image.open(path) as gif:
            assert gif.n_frames == 4
    else:
        capture = cv2.VideoCapture(str(path))
        assert int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) == 4
        capture.release()
    assert leftovers(tmp_path) == [f"out{ext}"]


def test_write_annotated_gif_is_downscaled(tmp_path):
    from tf_lu.apps.visualize import GIF_MAX_WIDTH, write_annotated
    frames = (np.zeros((300, 1000, 3), np.uint8) for _ in range(2))
    write_annotated(frames, np.zeros((2, 4)), str(tmp_path / "big.gif"))
    with Image.open(tmp_path / "big.gif") as gif:
        assert gif.size == (GIF_MAX_WIDTH, 144)


def test_write_annotated_errors(tmp_path):
    from tf_lu.apps.visualize import write_annotated
    with pytest.raises(TfLuError, match="unknown output format"):
        write_annotated([square_frame(0)], [], str(tmp_path / "out.mov"))
    with pytest.raises(TfLuError, match="no frames"):
        write_annotated([], [], str(tmp_path / "out.mp4"))

    def failing_frames():
        yield square_frame(0)
        raise TfLuError("broken frame")

    with pytest.raises(TfLuError, match="broken frame"):
        write_annotated(failing_frames(), [], str(tmp_path / "out.avi"))
    assert leftovers(tmp_path) == []
