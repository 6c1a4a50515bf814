"""The VOT folder reader on tiny fixtures written here in VOT layout (and OTB layout), good and malformed."""
import os

import numpy as np
import pytest
from PIL import Image

from tf_lu.data.vot_sequences import VotSequence, frame_size, read_vot_dataset, read_vot_sequence
from tf_lu.errors import TfLuError

WIDTH, HEIGHT = 40, 30
RECTANGLES = ["5,6,10,8", "6,6,10,8", "7,7,10,9"]
POLYGONS = ["10,2,20,10,10,18,0,10", "11,2,21,10,11,18,1,10", "12,2,22,10,12,18,2,10"]


def write_frames(folder, count, digits=8):
    os.makedirs(folder, exist_ok=True)
    for index in range(count):
        image = np.full((HEIGHT, WIDTH, 3), 10 * index, dtype=np.uint8)
        Image.fromarray(image).save(os.path.join(folder, f"{index + 1:0{digits}d}.jpg"))


def write_vot_sequence(root, name, lines, color=True, frames=None):
    folder = os.path.join(root, name)
    write_frames(os.path.join(folder, "color") if color else folder, len(lines) if frames is None else frames)
    with open(os.path.join(folder, "groundtruth.txt"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return folder


@pytest.fixture
def vot_root(tmp_path):
    root = str(tmp_path / "vot")
    write_vot_sequence(root, "rect", RECTANGLES, color=True)
    write_vot_sequence(root, "poly", POLYGONS, color=False)
    with open(os.path.join(root, "list.txt"), "w") as handle:
        handle.write("poly\nrect\n")
    return root


def test_reads_rectangles_from_color_folder(vot_root):
    sequence = read_vot_sequence(os.path.join(vot_root, "rect"))
    assert isinstance(sequence, VotSequence) and sequence.name == "rect" and len(sequence) == 3
    assert sequence.frames[0].endswith(os.path.join("color", "00000001.jpg"))
    assert sequence.boxes.tolist() == [[5, 6, 10, 8], [6, 6, 10, 8], [7, 7, 10, 9]]  # VOT's 0-based values, kept
    assert sequence.regions[0].tolist() == [5, 6, 10, 8]       # a rectangle stays a box (VOT scores it as one)
    assert frame_size(sequence) == (WIDTH, HEIGHT)
    assert sequence.frame(2)[0, 0, 0] == pytest.approx(20, abs=2)


def test_reads_polygons_from_flat_folder_and_initialises_from_their_bounding_box(vot_root):
    sequence = read_vot_sequence(os.path.join(vot_root, "poly"))
    assert len(sequence.frames) == 3 and all(f.endswith(".jpg") for f in sequence.frames)
    assert sequence.regions[1].tolist() == [11, 2, 21, 10, 11, 18, 1, 10]
    assert sequence.init_box.tolist() == [0, 2, 20, 16]


def test_dataset_follows_list_txt_and_picks_names(vot_root):
    assert [s.name for s in read_vot_dataset(vot_root)] == ["poly", "rect"]
    assert [s.name for s in read_vot_dataset(vot_root, ["rect"])] == ["rect"]
    with pytest.raises(TfLuError, match="no sequence named nope"):
        read_vot_dataset(vot_root, ["nope"])


def test_dataset_without_list_reads_vot_and_otb_folders(tmp_path):
    root = str(tmp_path / "mixed")
    write_vot_sequence(root, "b_vot", RECTANGLES)
    write_frames(os.path.join(root, "a_otb", "img"), 3, digits=4)
    with open(os.path.join(root, "a_otb", "groundtruth_rect.txt"), "w") as handle:
        handle.write("6,7,10,8\n7,7,10,8\n8,8,10,9\n")        # OTB: 1-based
    sequences = read_vot_dataset(root)
    assert [s.name for s in sequences] == ["a_otb", "b_vot"]
    assert sequences[0].boxes[0].tolist() == [5, 6, 10, 8]
    assert sequences[0].regions[0].tolist() == [5, 6, 10, 8]


def _one_line_error(call, *patterns):
    with pytest.raises(TfLuError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for pattern in patterns:
        assert pattern in message, message
    return message


def test_malformed_folders_are_one_line_errors(tmp_path):
    root = str(tmp_path / "bad")
    bow_tie = write_vot_sequence(root, "bow_tie", [POLYGONS[0], "0,0,10,10,10,0,0,10", POLYGONS[2]])
    _one_line_error(lambda: read_vot_sequence(bow_tie), "groundtruth.txt, line 2", "bad polygon", "cross")
    short = write_vot_sequence(root, "short", RECTANGLES, frames=4)
    _one_line_error(lambda: read_vot_sequence(short), "groundtruth.txt", "3 regions but 4 frames")
    six = write_vot_sequence(root, "six", [RECTANGLES[0], "1,2,3,4,5,6", RECTANGLES[2]])
    _one_line_error(lambda: read_vot_sequence(six), "line 2", "expected 4 or 8 values, got 6")
    flat = write_vot_sequence(root, "flat", [RECTANGLES[0], "1,2,0,4", RECTANGLES[2]])
    _one_line_error(lambda: read_vot_sequence(flat), "line 2", "bad rectangle")
    absent_first = write_vot_sequence(root, "absent_first", ["NaN,NaN,NaN,NaN"] + RECTANGLES[1:])
    _one_line_error(lambda: read_vot_sequence(absent_first), "line 1", "first region")


def test_list_naming_a_missing_folder_is_an_error(vot_root):
    with open(os.path.join(vot_root, "list.txt"), "a") as handle:
        handle.write("\nghost\n")
    _one_line_error(lambda: read_vot_dataset(vot_root), "list.txt, line 4", "ghost")


def test_absent_frames_are_nan_regions(tmp_path):
    folder = write_vot_sequence(str(tmp_path), "gap", [RECTANGLES[0], "NaN,NaN,NaN,NaN", "0,0,0,0"])
    sequence = read_vot_sequence(folder)
    assert np.all(np.isnan(sequence.regions[1:])) and np.all(sequence.absent[1:]) and not sequence.absent[0]
