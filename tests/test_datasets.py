"""Dataset readers (VID, GOT-10k, LaSOT, TrackingNet, VOT, OTB) on tiny fixtures in each layout, written to tmp_path.

The ``write_*`` helpers are also used by tests/test_curate.py.
"""
import os

import numpy as np
import pytest
from PIL import Image

from tf_lu.data.datasets import (DATASET_READERS, Track, list_videos, parse_vid_xml, read_dataset, vot_boxes)
from tf_lu.data.sequences import Sequence
from tf_lu.errors import TfLuError

H, W = 48, 64
FRAMES = 6


# ----------------------------------------------------------------------------------------------------------- fixtures

def write_jpeg(path, box=None, seed=0):
    """A 48x64 noisy JPEG with a bright rectangle at the 0-based ``box`` (x, y, w, h)."""
    rng = np.random.default_rng(seed)
    image = rng.integers(20, 90, size=(H, W, 3), dtype=np.uint8)
    if box is not None and np.all(np.isfinite(box)):
        x, y, w, h = (int(round(v)) for v in box)
        image[max(0, y):max(0, y + h), max(0, x):max(0, x + w)] = (230, 180, 60)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    Image.fromarray(image).save(path, quality=90)
    return path


def moving_boxes(count=FRAMES, start=(10.0, 8.0), size=(20.0, 16.0), step=2.0):
    """0-based boxes moving ``step`` px right per frame."""
    return np.array([[start[0] + step * i, start[1], size[0], size[1]] for i in range(count)])


def vid_xml(width, height, objects):
    """A VID annotation: ``objects`` = list of (trackid, xmin, ymin, xmax, ymax, occluded)."""
    parts = [f"<annotation>\n\t<folder>x</folder>\n\t<filename>x</filename>\n\t<size>\n\t\t<width>{width}</width>\n"
             f"\t\t<height>{height}</height>\n\t</size>\n"]
    for trackid, xmin, ymin, xmax, ymax, occluded in objects:
        parts.append(f"\t<object>\n\t\t<trackid>{trackid}</trackid>\n\t\t<name>n02691156</name>\n\t\t<bndbox>\n"
                     f"\t\t\t<xmax>{xmax}</xmax>\n\t\t\t<xmin>{xmin}</xmin>\n\t\t\t<ymax>{ymax}</ymax>\n"
                     f"\t\t\t<ymin>{ymin}</ymin>\n\t\t</bndbox>\n\t\t<occluded>{occluded}</occluded>\n"
                     f"\t\t<generated>0</generated>\n\t</object>\n")
    parts.append("</annotation>\n")
    return "".join(parts)


def write_vid(root, tiny_track=False):
    """ImageNet VID layout: one nested train snippet with track 0 (frames 0-5, missing in frame 2, occluded in
    frame 4) and track 1 (frames 1-3), plus one val snippet.  ``tiny_track`` adds track 2 with a 3x3 box."""
    snippets = {("train", "ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000"): FRAMES,
                ("train", "ILSVRC2015_VID_train_0001/ILSVRC2015_train_00001000"): FRAMES,
                ("val", "ILSVRC2015_val_00000000"): 3}
    for (split, name), count in snippets.items():
        boxes = moving_boxes(count)
        for i in range(count):
            objects = []
            if i != 2:
                x, y, w, h = boxes[i]
                objects.append((0, int(x), int(y), int(x + w - 1), int(y + h - 1), int(i == 4)))
            if 1 <= i <= 3:
                objects.append((1, 40, 30, 55, 45, 0))
            if tiny_track:
                objects.append((2, 2, 2, 4, 4, 0))
            annotation = os.path.join(root, "Annotations", "VID", split, *name.split("/"), f"{i:06d}.xml")
            os.makedirs(os.path.dirname(annotation), exist_ok=True)
            with open(annotation, "w") as handle:
                handle.write(vid_xml(W, H, objects))
            write_jpeg(os.path.join(root, "Data", "VID", split, *name.split("/"), f"{i:06d}.JPEG"), boxes[i], i)
    return root


def write_got10k(root, videos=2):
    """GOT-10k layout: ``train/list.txt`` and ``GOT-10k_Train_00000k`` folders; frame 3 is absent (absence.label),
    frame 4 has cover 0 (absent too), frame 5 cover 5 (occluded)."""
    names = [f"GOT-10k_Train_{k:06d}" for k in range(1, videos + 1)]
    for k, name in enumerate(names):
        folder = os.path.join(root, "train", name)
        boxes = moving_boxes(start=(10.0 + k, 8.0 + k))
        for i in range(FRAMES):
            write_jpeg(os.path.join(folder, f"{i + 1:08d}.jpg"), boxes[i] if i not in (3, 4) else None, 10 * k + i)
        rows = boxes.copy()
        with open(os.path.join(folder, "groundtruth.txt"), "w") as handle:
            handle.write("\n".join(",".join(f"{v:.4f}" for v in row) for row in rows) + "\n")
        with open(os.path.join(folder, "absence.label"), "w") as handle:
            handle.write("\n".join("1" if i == 3 else "0" for i in range(FRAMES)) + "\n")
        with open(os.path.join(folder, "cover.label"), "w") as handle:
            handle.write("\n".join(str(v) for v in (8, 8, 8, 0, 0, 5)) + "\n")
        with open(os.path.join(folder, "meta_info.ini"), "w") as handle:
            handle.write("[METAINFO]\nurl: x\nobject_class: cat\nmotion_class: walking\n")
    with open(os.path.join(root, "train", "list.txt"), "w") as handle:
        handle.write("\n".join(names) + "\n")
    return root


def write_lasot(root):
    """LaSOT layout: ``airplane/airplane-1`` and ``cat/cat-3``; 1-based boxes; frame 2 fully occluded, frame 4 out
    of view."""
    for name in ("airplane-1", "cat-3"):
        folder = os.path.join(root, name.split("-")[0], name)
        boxes = moving_boxes()
        for i in range(FRAMES):
            write_jpeg(os.path.join(folder, "img", f"{i + 1:08d}.jpg"), boxes[i], i)
        with open(os.path.join(folder, "groundtruth.txt"), "w") as handle:
            handle.write("\n".join(",".join(str(int(v)) for v in (x + 1, y + 1, w, h)) for x, y, w, h in boxes))
        with open(os.path.join(folder, "full_occlusion.txt"), "w") as handle:
            handle.write(",".join("1" if i == 2 else "0" for i in range(FRAMES)))
        with open(os.path.join(folder, "out_of_view.txt"), "w") as handle:
            handle.write(",".join("1" if i == 4 else "0" for i in range(FRAMES)))
        with open(os.path.join(folder, "nlp.txt"), "w") as handle:
            handle.write("white airplane\n")
    return root


def write_trackingnet(root, frames=11):
    """TrackingNet layout: ``TRAIN_0/frames/<video>/0.jpg ... 10.jpg`` (so natural order matters) and
    ``TRAIN_0/anno/<video>.txt``; ``TRAIN_1`` holds a second video."""
    for chunk, video in (("TRAIN_0", "abc_1"), ("TRAIN_1", "xyz_2")):
        boxes = moving_boxes(frames, step=1.0)
        for i in range(frames):
            write_jpeg(os.path.join(root, chunk, "frames", video, f"{i}.jpg"), boxes[i], i)
        os.makedirs(os.path.join(root, chunk, "anno"), exist_ok=True)
        with open(os.path.join(root, chunk, "anno", f"{video}.txt"), "w") as handle:
            handle.write("\n".join(",".join(f"{v:.2f}" for v in row) for row in boxes) + "\n")
    return root


def write_vot(root):
    """VOT layout: ``poly/color/*.jpg`` with 8-value polygons, ``rect/*.jpg`` with 4-value boxes, ``list.txt``."""
    boxes = moving_boxes()
    for i in range(FRAMES):
        write_jpeg(os.path.join(root, "poly", "color", f"{i + 1:08d}.jpg"), boxes[i], i)
        write_jpeg(os.path.join(root, "rect", f"{i + 1:08d}.jpg"), boxes[i], i)
    with open(os.path.join(root, "poly", "groundtruth.txt"), "w") as handle:
        for x1, y1, w, h in boxes:   # a rotated-looking quadrilateral whose bounding rectangle is the box (0-based)
            handle.write(f"{x1 + 3},{y1},{x1 + w},{y1 + 4},{x1 + w - 2},{y1 + h},{x1},{y1 + h - 5}\n")
    with open(os.path.join(root, "rect", "groundtruth.txt"), "w") as handle:
        handle.write("\n".join(f"{x},{y},{w},{h}" for x, y, w, h in boxes) + "\n")
    with open(os.path.join(root, "list.txt"), "w") as handle:
        handle.write("poly\nrect\n")
    return root


def write_otb(root):
    folder = os.path.join(root, "Walker")
    boxes = moving_boxes()
    for i in range(FRAMES):
        write_jpeg(os.path.join(folder, "img", f"{i + 1:04d}.jpg"), boxes[i], i)
    with open(os.path.join(folder, "groundtruth_rect.txt"), "w") as handle:
        handle.write("\n".join(f"{x + 1:g}\t{y + 1:g}\t{w:g}\t{h:g}" for x, y, w, h in boxes) + "\n")
    return root


def _absent(track):
    return np.flatnonzero(track.absent).tolist()


# -------------------------------------------------------------------------------------------------------------- VID

def test_vid_tracks_gaps_occlusion_and_inclusive_boxes(tmp_path):
    root = write_vid(str(tmp_path / "ILSVRC2015"))
    videos = list_videos("vid", root, "train")
    assert [v.name for v in videos] == ["ILSVRC2015_VID_train_0000/ILSVRC2015_train_00000000",
                                        "ILSVRC2015_VID_train_0001/ILSVRC2015_train_00001000"]
    tracks = list(read_dataset("vid", root, "train", limit=1))
    assert [t.name for t in tracks] == [f"{videos[0].name}/0", f"{videos[0].name}/1"]
    first, second = tracks
    assert isinstance(first, Sequence) and isinstance(first, Track) and first.dataset == "vid"
    assert len(first) == FRAMES and _absent(first) == [2] and np.all(np.isnan(first.boxes[2]))
    expected = moving_boxes()
    np.testing.assert_allclose(first.boxes[[0, 1, 3, 4, 5]], expected[[0, 1, 3, 4, 5]])   # w = xmax - xmin + 1
    assert first.occluded.tolist() == [False, False, False, False, True, False]
    # track 1 spans its own first..last appearance (frames 1..3)
    assert len(second) == 3 and os.path.basename(second.frames[0]) == "000001.JPEG" and _absent(second) == []
    np.testing.assert_allclose(second.boxes[0], [40, 30, 16, 16])
    assert first.frame(0).shape == (H, W, 3)
    val = list(read_dataset("vid", str(tmp_path), "val"))      # the parent folder works too
    assert [t.name for t in val] == ["ILSVRC2015_val_00000000/0", "ILSVRC2015_val_00000000/1"]


def test_vid_corrupt_xml_names_file_and_line(tmp_path):
    root = write_vid(str(tmp_path / "vid"))
    folder = os.path.join(root, "Annotations", "VID", "val", "ILSVRC2015_val_00000000")
    bad = os.path.join(folder, "000001.xml")
    text = open(bad).read()
    with open(bad, "w") as handle:
        handle.write(text.replace("</size>", "</sise>"))
    with pytest.raises(TfLuError, match=r"000001\.xml, line \d+: malformed XML"):
        list(read_dataset("vid", root, "val"))
    first = os.path.join(folder, "000000.xml")
    text = open(first).read()
    with open(first, "w") as handle:
        handle.write(text.replace("<xmin>10</xmin>", "<xmin>ten</xmin>", 1))
    with pytest.raises(TfLuError, match=r"000000\.xml, line 13: object trackid 0: .*<bndbox/xmin> value 'ten'"):
        parse_vid_xml(first)


# ---------------------------------------------------------------------------------------------------------- GOT-10k

def test_got10k_absence_cover_and_zero_based_boxes(tmp_path):
    root = write_got10k(str(tmp_path / "GOT-10k"))
    tracks = list(read_dataset("got10k", root))
    assert [t.name for t in tracks] == ["GOT-10k_Train_000001", "GOT-10k_Train_000002"]
    track = tracks[1]
    assert len(track) == FRAMES and _absent(track) == [3, 4]          # absence.label and cover 0
    assert track.occluded.tolist() == [False] * 5 + [True]
    np.testing.assert_allclose(track.boxes[0], [11, 9, 20, 16])         # 0-based, as written
    assert os.path.basename(track.frames[-1]) == "00000006.jpg"
    # the split folder itself is accepted as the root
    assert len(list(read_dataset("got10k", os.path.join(root, "train"), "train"))) == 2


def test_got10k_corrupt_annotations(tmp_path):
    root = write_got10k(str(tmp_path / "GOT-10k"), videos=1)
    gt = os.path.join(root, "train", "GOT-10k_Train_000001", "groundtruth.txt")
    lines = open(gt).read().splitlines()
    with open(gt, "w") as handle:
        handle.write("\n".join([lines[0], "1,2,3"] + lines[2:]))
    with pytest.raises(TfLuError, match=r"groundtruth\.txt, line 2: expected 4 values, got 3"):
        list(read_dataset("got10k", root))
    with open(gt, "w") as handle:
        handle.write("\n".join(lines[:-1]))
    with pytest.raises(TfLuError, match=r"groundtruth\.txt: 5 boxes but 6 frames"):
        list(read_dataset("got10k", root))
    with open(gt, "w") as handle:
        handle.write("\n".join(lines))
    with open(os.path.join(os.path.dirname(gt), "absence.label"), "w") as handle:
        handle.write("0\n0\nx\n")
    with pytest.raises(TfLuError, match=r"absence\.label, line 3: not a number"):
        list(read_dataset("got10k", root))
    with open(os.path.join(root, "train", "list.txt"), "a") as handle:
        handle.write("GOT-10k_Train_009999\n")
    with pytest.raises(TfLuError, match="listed folder.*GOT-10k_Train_009999"):
        read_dataset("got10k", root)


# ------------------------------------------------------------------------------------------------------------ LaSOT

def test_lasot_one_based_and_occlusion_flags(tmp_path):
    root = write_lasot(str(tmp_path / "LaSOT"))
    tracks = list(read_dataset("lasot", root))
    assert [t.name for t in tracks] == ["airplane/airplane-1", "cat/cat-3"]
    track = tracks[0]
    assert _absent(track) == [2, 4]                                     # full occlusion or out of view
    np.testing.assert_allclose(track.boxes[0], moving_boxes()[0])       # 1-based file -> 0-based
    with pytest.raises(TfLuError, match="training_set.txt"):
        read_dataset("lasot", root, "train")
    with open(os.path.join(root, "training_set.txt"), "w") as handle:
        handle.write("cat-3\n")
    assert [t.name for t in read_dataset("lasot", root, "train")] == ["cat/cat-3"]
    with open(os.path.join(root, "cat", "cat-3", "out_of_view.txt"), "w") as handle:
        handle.write("0,0,0")
    with pytest.raises(TfLuError, match=r"out_of_view\.txt: 3 values but 6 frames"):
        list(read_dataset("lasot", root, "train"))


# ------------------------------------------------------------------------------------------------------ TrackingNet

def test_trackingnet_chunks_and_natural_frame_order(tmp_path):
    root = write_trackingnet(str(tmp_path / "TrackingNet"))
    tracks = list(read_dataset("trackingnet", root))
    assert [t.name for t in tracks] == ["TRAIN_0/abc_1", "TRAIN_1/xyz_2"]
    track = tracks[0]
    assert [os.path.basename(f) for f in track.frames[-3:]] == ["8.jpg", "9.jpg", "10.jpg"]
    np.testing.assert_allclose(track.boxes[10], moving_boxes(11, step=1.0)[10])
    assert [t.name for t in read_dataset("trackingnet", root, "1")] == ["TRAIN_1/xyz_2"]
    with pytest.raises(TfLuError, match="TRAIN_7"):
        read_dataset("trackingnet", root, "TRAIN_7")
    with open(os.path.join(root, "TRAIN_1", "anno", "xyz_2.txt"), "a") as handle:
        handle.write("1,2,3,4,5\n")
    with pytest.raises(TfLuError, match=r"xyz_2\.txt, line 12: expected 4 values, got 5"):
        list(read_dataset("trackingnet", root, "1"))


# -------------------------------------------------------------------------------------------------------- VOT / OTB

def test_vot_polygons_and_rectangles(tmp_path):
    root = write_vot(str(tmp_path / "vot"))
    poly, rect = read_dataset("vot", root)
    assert poly.name == "poly" and rect.name == "rect"
    np.testing.assert_allclose(poly.boxes, moving_boxes())              # polygon -> its min/max rectangle
    np.testing.assert_allclose(rect.boxes, moving_boxes())
    assert os.path.basename(os.path.dirname(poly.frames[0])) == "color"
    np.testing.assert_allclose(vot_boxes("x", text="1,1,11,1,11,21,1,21\n0,0,0,0\n")[0], [1, 1, 10, 20])
    with open(os.path.join(root, "poly", "groundtruth.txt"), "a") as handle:
        handle.write("1,2,3,4,5,6\n")
    with pytest.raises(TfLuError, match=r"groundtruth\.txt, line 7: expected 4 or 8 values, got 6"):
        list(read_dataset("vot", root))


def test_vot_zero_box_is_absent_and_otb_through_the_same_interface(tmp_path):
    boxes = vot_boxes("x", text="1,1,10,10\n0,0,0,0\n")
    assert boxes[0].tolist() == [1, 1, 10, 10] and np.all(np.isnan(boxes[1]))       # 0-based as given; 0,0,0,0 absent
    root = write_vot(str(tmp_path / "vot"))
    with open(os.path.join(root, "rect", "groundtruth.txt"), "w") as handle:
        handle.write("\n".join(["10,8,20,16", "0,0,0,0"] + ["10,8,20,16"] * 4) + "\n")
    rect = list(read_dataset("vot", root))[1]
    assert _absent(rect) == [1] and np.all(np.isnan(rect.boxes[1]))
    otb = list(read_dataset("otb", write_otb(str(tmp_path / "otb"))))
    assert [t.name for t in otb] == ["Walker"] and otb[0].dataset == "otb"
    np.testing.assert_allclose(otb[0].boxes, moving_boxes())


def test_registry_limits_and_errors(tmp_path):
    assert set(DATASET_READERS) == {"vid", "got10k", "lasot", "trackingnet", "vot", "otb"}
    root = write_got10k(str(tmp_path / "GOT-10k"))
    assert len(list(DATASET_READERS["got10k"](root, limit=1))) == 1
    with pytest.raises(TfLuError, match="unknown dataset 'imagenet'"):
        read_dataset("imagenet", root)
    with pytest.raises(TfLuError, match="not an ImageNet VID folder"):
        read_dataset("vid", root)
    with pytest.raises(TfLuError, match="GOT-10k val folder not found"):
        read_dataset("got10k", root, "val")
