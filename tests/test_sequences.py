"""Sequence readers (OTB folders, image folders, video files) and box helpers, on tiny fixtures written to tmp_path."""
import numpy as np
import pytest
from PIL import Image

from tf_lu.geometry.boxes import (center_error, clip_center_box, from_center, from_otb, iou, is_valid, to_center, to_otb,
                         validate_initial_box)
from tf_lu.data.images import load_image, to_rgb
from tf_lu.data.box_files import parse_box_lines, read_box_file
from tf_lu.data.sequences import list_images, open_user_sequence, read_otb_dataset, read_otb_folders, read_otb_sequence
from tf_lu.errors import TfLuError

H, W = 48, 64


# ----------------------------------------------------------------------------------------------------------- fixtures

def write_frame(path, value=0, mode="RGB", size=(W, H)):
    """A flat image whose pixels are ``value`` (so the frame order can be read back)."""
    if mode == "RGB":
        array = np.full((size[1], size[0], 3), value, np.uint8)
    elif mode == "RGBA":
        array = np.full((size[1], size[0], 4), value, np.uint8)
        array[..., 3] = 128
    elif mode == "L":
        array = np.full((size[1], size[0]), value, np.uint8)
    elif mode == "I;16":
        array = np.full((size[1], size[0]), value * 257, np.uint16)
    else:
        raise ValueError(mode)
    Image.fromarray(array).save(path)
    return path


def write_frames(folder, count, ext=".png", start=1, value_step=10):
    folder.mkdir(parents=True, exist_ok=True)
    return [write_frame(folder / f"{i:04d}{ext}", value=(i - start + 1) * value_step)
            for i in range(start, start + count)]


def make_otb(root, box_text, count=3, name="seq"):
    folder = root / name
    write_frames(folder / "img", count)
    (folder / "groundtruth_rect.txt").write_text(box_text)
    return folder


def write_avi(path, count=5, size=(W, H)):
    """A tiny MJPG .avi whose frame ``i`` is flat grey ``40 * i``."""
    cv2 = pytest.importorskip("cv2")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, size)
    assert writer.isOpened()
    for i in range(count):
        writer.write(np.full((size[1], size[0], 3), 40 * i, np.uint8))
    writer.release()
    return path


# ------------------------------------------------------------------------------------------------------- OTB folders

@pytest.mark.parametrize("separator", [",", "\t", " ", ", ", "  "])
def test_otb_box_separators(tmp_path, separator):
    lines = [separator.join(row) for row in (["11", "21", "5", "6"], ["12", "22", "5", "6"], ["13", "23", "5.5", "6"])]
    folder = make_otb(tmp_path, "\n".join(lines) + "\n")
    seq = read_otb_sequence(str(folder))
    assert seq.name == "seq" and len(seq) == 3
    np.testing.assert_allclose(seq.boxes, [[10, 20, 5, 6], [11, 21, 5, 6], [12, 22, 5.5, 6]])  # 1-based -> 0-based
    np.testing.assert_allclose(seq.init_box, [10, 20, 5, 6])
    assert not seq.absent.any()


def test_otb_crlf_and_trailing_blank_lines(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\r\n2,2,5,5\r\n3,3,5,5\r\n\r\n")
    assert read_otb_sequence(str(folder)).boxes.shape == (3, 4)


def test_nan_rows_are_absent(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\nNaN,NaN,NaN,NaN\n3,3,5,5\n")
    seq = read_otb_sequence(str(folder))
    assert seq.absent.tolist() == [False, True, False]
    assert np.all(np.isnan(seq.boxes[1]))
    np.testing.assert_allclose(seq.boxes[2], [2, 2, 5, 5])


def test_frames_in_natural_order(tmp_path):
    folder = tmp_path / "seq"
    (folder / "img").mkdir(parents=True)
    for number in (10, 2, 1):                       # "10" sorts before "2" as text
        write_frame(folder / "img" / f"{number}.png", value=number)
    (folder / "groundtruth_rect.txt").write_text("1,1,5,5\n1,1,5,5\n1,1,5,5\n")
    seq = read_otb_sequence(str(folder))
    assert [p.rsplit("/", 1)[-1] for p in map(str, seq.frames)] == ["1.png", "2.png", "10.png"]
    assert [int(seq.frame(i)[0, 0, 0]) for i in range(3)] == [1, 2, 10]


def test_list_images_skips_other_files(tmp_path):
    write_frames(tmp_path, 2)
    (tmp_path / "notes.txt").write_text("x")
    (tmp_path / ".hidden.png").write_bytes(b"")
    assert [p.rsplit("/", 1)[-1] for p in list_images(str(tmp_path))] == ["0001.png", "0002.png"]


@pytest.mark.parametrize("mode", ["L", "RGBA", "I;16"])
def test_grayscale_and_rgba_frames_become_rgb(tmp_path, mode):
    path = write_frame(tmp_path / f"frame_{mode.replace(';', '')}.png", value=100, mode=mode)
    image = load_image(str(path))
    assert image.shape == (H, W, 3) and image.dtype == np.uint8
    assert abs(int(image[0, 0, 0]) - 100) <= 1 and np.all(image[..., 0] == image[..., 2])


def test_palette_and_grayscale_jpeg_frames_become_rgb(tmp_path):
    Image.fromarray(np.full((H, W, 3), 77, np.uint8)).convert("P").save(tmp_path / "p.png")
    Image.fromarray(np.full((H, W), 77, np.uint8)).save(tmp_path / "g.jpg")
    for name in ("p.png", "g.jpg"):
        image = load_image(str(tmp_path / name))
        assert image.shape == (H, W, 3) and image.dtype == np.uint8


def test_mixed_mode_otb_sequence(tmp_path):
    folder = tmp_path / "seq"
    (folder / "img").mkdir(parents=True)
    write_frame(folder / "img" / "1.png", 50, mode="L")
    write_frame(folder / "img" / "2.png", 50, mode="RGBA")
    write_frame(folder / "img" / "3.png", 50, mode="RGB")
    (folder / "groundtruth_rect.txt").write_text("1,1,5,5\n1,1,5,5\n1,1,5,5\n")
    seq = read_otb_sequence(str(folder))
    for i in range(3):
        assert seq.frame(i).shape == (H, W, 3)


def test_to_rgb_arrays():
    assert to_rgb(np.zeros((4, 5), np.uint8)).shape == (4, 5, 3)
    assert to_rgb(np.zeros((4, 5, 1), np.uint8)).shape == (4, 5, 3)
    assert to_rgb(np.zeros((4, 5, 4), np.uint8)).shape == (4, 5, 3)
    np.testing.assert_array_equal(to_rgb(np.full((2, 2), 65535, np.uint16)), 255)
    with pytest.raises(TfLuError, match="unsupported image shape"):
        to_rgb(np.zeros((4, 5, 2), np.uint8))


# -------------------------------------------------------------------------------------------------------- bad inputs

def test_missing_img_folder(tmp_path):
    folder = tmp_path / "seq"
    folder.mkdir()
    (folder / "groundtruth_rect.txt").write_text("1,1,5,5\n")
    with pytest.raises(TfLuError, match="no img/ folder"):
        read_otb_sequence(str(folder))


def test_missing_box_file(tmp_path):
    folder = tmp_path / "seq"
    write_frames(folder / "img", 2)
    with pytest.raises(TfLuError, match="missing box file"):
        read_otb_sequence(str(folder))


def test_empty_img_folder(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\n", count=0)
    with pytest.raises(TfLuError, match="no image files"):
        read_otb_sequence(str(folder))


def test_missing_frame(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\n1,1,5,5\n1,1,5,5\n")
    seq = read_otb_sequence(str(folder))
    (folder / "img" / "0002.png").unlink()
    with pytest.raises(TfLuError, match="missing frame: .*0002.png"):
        seq.frame(1)


@pytest.mark.parametrize("content", [b"this is not an image", b"", "truncated"])
def test_unreadable_frame(tmp_path, content):
    folder = make_otb(tmp_path, "1,1,5,5\n1,1,5,5\n1,1,5,5\n")
    path = folder / "img" / "0002.png"
    if content == "truncated":
        content = path.read_bytes()[:60]
    path.write_bytes(content)
    seq = read_otb_sequence(str(folder))
    np.testing.assert_array_equal(seq.frame(0).shape, (H, W, 3))
    with pytest.raises(TfLuError, match="unreadable frame: .*0002.png"):
        seq.frame(1)


def test_box_count_differs_from_frames(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\n2,2,5,5\n", count=3)
    with pytest.raises(TfLuError, match="2 boxes but 3 frames"):
        read_otb_sequence(str(folder))


@pytest.mark.parametrize("bad_line, message", [("1,2,3", "line 2: expected 4 values"),
                                               ("1,2,3,4,5", "line 2: expected 4 values"),
                                               ("1,2,x,4", "line 2: not a number")])
def test_malformed_box_line(tmp_path, bad_line, message):
    folder = make_otb(tmp_path, f"1,1,5,5\n{bad_line}\n3,3,5,5\n")
    with pytest.raises(TfLuError, match=message):
        read_otb_sequence(str(folder))


def test_empty_box_file(tmp_path):
    path = tmp_path / "boxes.txt"
    path.write_text("\n\n")
    with pytest.raises(TfLuError, match="no boxes"):
        read_box_file(str(path))


def test_first_box_must_be_present(tmp_path):
    folder = make_otb(tmp_path, "NaN,NaN,NaN,NaN\n1,1,5,5\n1,1,5,5\n")
    with pytest.raises(TfLuError, match="first box"):
        read_otb_sequence(str(folder))


def test_parse_box_lines_mixed_separators():
    np.testing.assert_allclose(parse_box_lines("1, 2\t3 4\n"), [[1, 2, 3, 4]])


def test_errors_are_one_line(tmp_path):
    folder = make_otb(tmp_path, "1,1,5,5\n1,2,3\n1,1,5,5\n")
    with pytest.raises(TfLuError) as info:
        read_otb_sequence(str(folder))
    assert "\n" not in str(info.value)


# --------------------------------------------------------------------------------------------------------- datasets

def test_read_otb_dataset(tmp_path):
    make_otb(tmp_path, "1,1,5,5\n1,1,5,5\n", count=2, name="b")
    make_otb(tmp_path, "1,1,5,5\n1,1,5,5\n", count=2, name="a")
    (tmp_path / "not_a_sequence").mkdir()
    assert [s.name for s in read_otb_dataset(str(tmp_path))] == ["a", "b"]
    assert [s.name for s in read_otb_dataset(str(tmp_path), names=["b"])] == ["b"]
    with pytest.raises(TfLuError, match="no OTB-layout sequence named zzz"):
        read_otb_dataset(str(tmp_path), names=["zzz"])
    with pytest.raises(TfLuError, match="no OTB-layout sequences"):
        read_otb_dataset(str(tmp_path / "not_a_sequence"))
    with pytest.raises(TfLuError, match="data folder not found"):
        read_otb_dataset(str(tmp_path / "missing"))


def test_read_otb_folders(tmp_path):
    for root, name in (("one", "b"), ("one", "a"), ("two", "c")):
        make_otb(tmp_path / root, "1,1,5,5\n1,1,5,5\n", count=2, name=name)
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    assert [s.name for s in read_otb_folders(f"{one},{two}")] == ["a", "b", "c"]
    assert [s.name for s in read_otb_folders([two, one], names=["c", "a"])] == ["c", "a"]
    assert [s.name for s in read_otb_folders(one)] == ["a", "b"]
    with pytest.raises(TfLuError, match="no OTB-layout sequence named zzz"):
        read_otb_folders(f"{one},{two}", names=["zzz"])
    with pytest.raises(TfLuError, match="more than one"):
        read_otb_folders(f"{one},{one}")
    with pytest.raises(TfLuError, match="no data folder"):
        read_otb_folders(",")


# ------------------------------------------------------------------------------------------ user videos and folders

def test_user_image_folder(tmp_path):
    write_frames(tmp_path / "clip", 4)
    seq = open_user_sequence(str(tmp_path / "clip"), [5, 6, 10, 12])
    assert seq.name == "clip" and len(seq) == 4
    np.testing.assert_allclose(seq.init_box, [5, 6, 10, 12])
    assert seq.frame(3).shape == (H, W, 3) and int(seq.frame(3)[0, 0, 0]) == 40


def test_user_box_one_based(tmp_path):
    write_frames(tmp_path / "clip", 2)
    seq = open_user_sequence(str(tmp_path / "clip"), [5, 6, 10, 12], one_based=True)
    np.testing.assert_allclose(seq.init_box, [4, 5, 10, 12])


def test_user_folder_without_images(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "readme.txt").write_text("no frames here")
    with pytest.raises(TfLuError, match="no image files"):
        open_user_sequence(str(tmp_path / "empty"), [1, 1, 5, 5])


@pytest.mark.parametrize("box, message", [([5, 5, 0, 10], "zero size"),
                                          ([5, 5, 10, 0], "zero size"),
                                          ([W + 5, 5, 10, 10], "outside"),
                                          ([5, H, 10, 10], "outside"),
                                          ([-20, 5, 10, 10], "outside"),
                                          ([5, 5, np.nan, 10], "4 finite numbers"),
                                          ([5, 5, 10], "4 finite numbers")])
def test_user_bad_first_box(tmp_path, box, message):
    write_frames(tmp_path / "clip", 2)
    with pytest.raises(TfLuError, match=message):
        open_user_sequence(str(tmp_path / "clip"), box)


def test_user_box_partly_outside_is_cut_to_the_frame(tmp_path):
    write_frames(tmp_path / "clip", 2)
    seq = open_user_sequence(str(tmp_path / "clip"), [-5, -5, 10, 10])
    np.testing.assert_allclose(seq.init_box, [0, 0, 5, 5])
    np.testing.assert_allclose(seq.given_box, [-5, -5, 10, 10])
    width, height = seq.frame(0).shape[1], seq.frame(0).shape[0]
    seq = open_user_sequence(str(tmp_path / "clip"), [width - 4, height - 3, 10, 10])
    np.testing.assert_allclose(seq.init_box, [width - 4, height - 3, 4, 3])


def test_user_video(tmp_path):
    path = write_avi(tmp_path / "tiny.avi")
    seq = open_user_sequence(str(path), [10, 8, 20, 16])
    assert seq.name == "tiny" and len(seq) == 5
    np.testing.assert_allclose(seq.init_box, [10, 8, 20, 16])
    grey = []
    for i in range(5):                                  # sequential decoding
        frame = seq.frame(i)
        assert frame.shape == (H, W, 3) and frame.dtype == np.uint8
        grey.append(float(frame.mean()))
    assert all(abs(g - 40 * i) < 12 for i, g in enumerate(grey)), grey
    assert abs(float(seq.frame(2).mean()) - 80) < 12    # random access (seek back)
    assert abs(float(seq.frame(-1).mean()) - 160) < 12


def test_user_video_bad_box(tmp_path):
    path = write_avi(tmp_path / "tiny.avi")
    with pytest.raises(TfLuError, match="outside the 64x48 image"):
        open_user_sequence(str(path), [100, 100, 10, 10])


def test_user_source_errors(tmp_path):
    with pytest.raises(TfLuError, match="no such video file or image folder"):
        open_user_sequence(str(tmp_path / "missing.mp4"), [1, 1, 5, 5])
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(TfLuError, match="not a video file"):
        open_user_sequence(str(tmp_path / "notes.txt"), [1, 1, 5, 5])
    (tmp_path / "broken.avi").write_bytes(b"not a video at all")
    with pytest.raises(TfLuError, match="broken.avi"):
        open_user_sequence(str(tmp_path / "broken.avi"), [1, 1, 5, 5])


# ------------------------------------------------------------------------------------------------------ box helpers

def test_otb_conversion_round_trip():
    boxes = np.array([[1, 1, 10, 20], [5.5, 7, 3, 4], [np.nan] * 4])
    zero_based = from_otb(boxes)
    np.testing.assert_allclose(zero_based[:2], [[0, 0, 10, 20], [4.5, 6, 3, 4]])
    assert np.all(np.isnan(zero_based[2]))
    np.testing.assert_allclose(to_otb(zero_based), boxes)
    assert boxes[0, 0] == 1                             # the input is not modified
    np.testing.assert_allclose(from_otb([3, 4, 5, 6]), [2, 3, 5, 6])


def test_center_conversion():
    np.testing.assert_allclose(to_center([0, 0, 1, 1]), [0, 0, 1, 1])        # a one-pixel box is centred on it
    np.testing.assert_allclose(to_center([10, 20, 5, 7]), [12, 23, 5, 7])
    np.testing.assert_allclose(to_center([0, 0, 4, 4]), [1.5, 1.5, 4, 4])
    rng = np.random.default_rng(0)
    for box in rng.uniform([-50, -50, 1, 1], [500, 500, 300, 300], size=(50, 4)):
        np.testing.assert_allclose(from_center(to_center(box)), box)
        np.testing.assert_allclose(to_center(from_center(box)), box)


def test_clip_center_box_keeps_centre_inside_and_never_nan():
    shape = (H, W, 3)
    for bad in ([np.nan, 5, 10, 10], [5, 5, np.inf, 10], [np.nan] * 4):
        assert clip_center_box(bad, shape) is None
    np.testing.assert_allclose(clip_center_box([-100, 1e9, 1e9, 0], shape), [0, H - 1, W, 4])
    np.testing.assert_allclose(clip_center_box([20, 20, 10, 12], shape), [20, 20, 10, 12])   # unchanged inside
    np.testing.assert_allclose(clip_center_box([20, 20, 100, 100], shape, max_fraction=0.5), [20, 20, W / 2, H / 2])
    rng = np.random.default_rng(1)
    for center_box in rng.normal(0, 1e4, size=(200, 4)):
        out = clip_center_box(center_box, shape)
        assert out is not None and np.all(np.isfinite(out))
        assert 0 <= out[0] <= W - 1 and 0 <= out[1] <= H - 1
        assert 4 <= out[2] <= W and 4 <= out[3] <= H


def test_iou_hand_computed():
    a = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 4, 4]]
    b = [[0, 0, 10, 10], [5, 0, 10, 10], [2, 2, 5, 5], [20, 20, 5, 5], [5, 5, 10, 10], [np.nan] * 4]
    result = iou(a, b)
    np.testing.assert_allclose(result[:5], [1.0, 50 / 150, 25 / 100, 0.0, 25 / 175])
    assert np.isnan(result[5])
    np.testing.assert_allclose(iou([0, 0, 10, 10], [10, 0, 10, 10]), [0.0])    # touching edges
    np.testing.assert_allclose(iou([0, 0, 0, 0], [0, 0, 0, 0]), [0.0])         # empty boxes: 0, not NaN
    np.testing.assert_allclose(iou(b[:3], a[:3]), result[:3])                   # symmetric


def test_center_error_and_validity():
    np.testing.assert_allclose(center_error([[0, 0, 10, 10], [0, 0, 4, 4]], [[3, 4, 10, 10], [0, 0, 2, 2]]),
                               [5.0, np.hypot(1, 1)])
    assert is_valid([0, 0, 1, 1]) and not is_valid([0, 0, 0, 1]) and not is_valid([np.nan, 0, 1, 1])
    np.testing.assert_allclose(validate_initial_box([1, 2, 3, 4], (H, W)), [1, 2, 3, 4])
