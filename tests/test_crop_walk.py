"""Crop walks (tf_lu/data/crop_walk.py): geometry of the placed crop and box, determinism, folds, the writer."""
import json
import os

import numpy as np
import pytest

from tf_lu.data.crop_walk import (CropWalkConfig, crop_walk, fold_split, place_crop, placed_box, video_group,
                                  write_crop_walks)
from tf_lu.data.sequences import Sequence, read_otb_sequence
from tf_lu.data.synthetic import write_otb_folder
from tf_lu.errors import TfLuError


def marked_crop(side=41, box=(15, 12, 11, 17)):
    """A dark crop with a white box at 0-based pixels x..x+w-1, y..y+h-1."""
    crop = np.full((side, side, 3), 20, np.uint8)
    x, y, w, h = box
    crop[y:y + h, x:x + w] = 255
    return crop


@pytest.mark.parametrize("scale,centre", [(1.0, (60.0, 70.0)), (2.0, (80.5, 64.25)), (3.0, (79.0, 81.0)), (0.8, (50.0, 55.0))])
def test_placed_box_matches_the_drawn_target(scale, centre):
    box = (15, 12, 11, 17)
    frame = place_crop(marked_crop(box=box), scale, centre, 160)
    rows, cols = np.nonzero(frame[..., 0] > 137)        # pixels more than half way to white
    x, y, w, h = placed_box(box, scale, centre, 41)
    assert cols.min() == pytest.approx(x, abs=0.6) and cols.max() + 1 == pytest.approx(x + w, abs=0.6)
    assert rows.min() == pytest.approx(y, abs=0.6) and rows.max() + 1 == pytest.approx(y + h, abs=0.6)


def test_canvas_is_filled_with_the_crop_mean_colour():
    crop = marked_crop()
    frame = place_crop(crop, 1.0, (100.0, 100.0), 200)
    mean = crop.reshape(-1, 3).mean(axis=0)
    assert np.allclose(frame[0, 0], mean, atol=1)


def crop_sequence(name="seq", frames=12, side=41, absent_at=()):
    crops = [marked_crop(side) for _ in range(frames)]
    boxes = np.tile(np.float64([15, 12, 11, 17]), (frames, 1))
    boxes[list(absent_at)] = np.nan
    return Sequence(name=name, frames=crops, boxes=boxes)


def test_crop_walk_is_deterministic_capped_and_keeps_absent_frames():
    config = CropWalkConfig(canvas=120, max_frames=8)
    first = crop_walk(crop_sequence(absent_at=(3,)), seed=1, config=config)
    again = crop_walk(crop_sequence(absent_at=(3,)), seed=1, config=config)
    other = crop_walk(crop_sequence(absent_at=(3,)), seed=2, config=config)
    assert len(first) == 8 and first.frame(0).shape == (120, 120, 3)
    np.testing.assert_array_equal(first.boxes, again.boxes)
    assert not np.allclose(first.boxes[~first.absent], other.boxes[~other.absent])
    assert first.absent.tolist() == [i == 3 for i in range(8)] and np.all(np.isnan(first.boxes[3]))
    visible = first.boxes[~first.absent]
    assert np.all(visible[:, :2] >= 0) and np.all(visible[:, :2] + visible[:, 2:] <= 120)
    assert np.all((visible[:, 2] >= 11 * 0.8 - 1e-9) & (visible[:, 2] <= 11 * 1.25 + 1e-9))


def test_crop_walk_rejects_bad_crops():
    with pytest.raises(TfLuError, match="square"):
        crop_walk(Sequence(name="s", frames=[np.zeros((30, 40, 3), np.uint8)], boxes=[[1, 1, 5, 5]]))
    with pytest.raises(TfLuError, match="canvas"):
        crop_walk(crop_sequence(), config=CropWalkConfig(canvas=45))


def test_video_groups_and_folds():
    assert video_group("uav123_10fps_group1_3") == "uav123_10fps_group1"
    assert video_group("uav123_10fps_wakeboard7") == "uav123_10fps_wakeboard7"
    assert video_group("uavdt_S0601") == "uavdt_S0601" and video_group("dance-twirl") == "dance-twirl"
    lengths = {"a_1_1": 50, "a_1_2": 50, "b": 90, "c": 40, "d": 60, "e": 10}
    folds = fold_split(lengths, 2)
    assert sorted(sum(folds, [])) == sorted(lengths)
    assert any({"a_1_1", "a_1_2"} <= set(f) for f in folds)
    sizes = [sum(lengths[n] for n in f) for f in folds]
    assert abs(sizes[0] - sizes[1]) <= 20
    assert fold_split(lengths, 2) == folds
    with pytest.raises(TfLuError):
        fold_split(lengths, 1)


def test_write_crop_walks_in_folds(tmp_path):
    for name in ("p_1_1", "p_1_2", "q"):
        write_otb_folder(crop_sequence(name, frames=4), str(tmp_path / "crops" / name))
    folds = write_crop_walks(str(tmp_path / "crops"), str(tmp_path / "walks"), folds=2, max_frames=3, progress=False)
    listed = json.loads((tmp_path / "walks" / "folds.json").read_text())["folds"]
    assert listed == folds and sorted(sum(folds, [])) == ["p_1_1", "p_1_2", "q"]
    for k, names in enumerate(folds):
        for name in names:
            sequence = read_otb_sequence(os.path.join(tmp_path, "walks", f"fold{k}", name))
            assert len(sequence) == 3 and sequence.frame(0).shape == (480, 480, 3)


def test_write_crop_walks_of_named_sequences_only(tmp_path):
    for name in ("a", "b"):
        write_otb_folder(crop_sequence(name, frames=3), str(tmp_path / "crops" / name))
    names = write_crop_walks(str(tmp_path / "crops"), str(tmp_path / "walks"), max_frames=2, progress=False,
                             names=["b"])
    assert names == [["b"]] and sorted(os.listdir(tmp_path / "walks")) == ["b"]
    with pytest.raises(TfLuError, match="no sequence named c"):
        write_crop_walks(str(tmp_path / "crops"), str(tmp_path / "w2"), progress=False, names=["c"])
