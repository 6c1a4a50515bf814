"""Objects of still photos as training pairs: the COCO detection JSON reader (tf_lu/data/datasets/coco.py), the
augmented copies (tf_lu/data/pairs/stills.py), their pool in the pair stream, and make-pairs --stills, on a tiny
COCO folder written here."""
import json
import os

import numpy as np
import pytest
from PIL import Image

from test_cli import assert_user_error, run_cli
from tf_lu.config import DataConfig
from tf_lu.data.curation.crop_sources import still_sources
from tf_lu.data.curation.pair_stage import _pools, pair_stream
from tf_lu.data.datasets.coco import read_coco_objects
from tf_lu.data.pairs import ClassIndex
from tf_lu.data.pairs import CropTrack
from tf_lu.data.pairs.stills import StillAugment, augmented_copy, still_crop_tracks, warp_window
from tf_lu.errors import TfLuError
from tf_lu.geometry.crops import crop_numpy, search_side

# photo 1: a person (60x90 at 30,40), a dog (50x40 at 200,150), a crowd region; photo 2: a small cup and a person
ANNOTATIONS = [
    {"id": 1, "image_id": 1, "category_id": 1, "bbox": [30, 40, 60, 90], "iscrowd": 0},
    {"id": 2, "image_id": 1, "category_id": 2, "bbox": [200.5, 150.25, 50, 40], "iscrowd": 0},
    {"id": 3, "image_id": 1, "category_id": 1, "bbox": [100, 100, 80, 80], "iscrowd": 1},
    {"id": 4, "image_id": 2, "category_id": 3, "bbox": [10, 10, 12, 30], "iscrowd": 0},
    {"id": 5, "image_id": 2, "category_id": 1, "bbox": [140, 60, 70, 100], "iscrowd": 0},
]


def write_coco(folder, annotations=ANNOTATIONS, images=True):
    """A COCO folder: ``instances.json`` and two 320x240 photos with a bright box where each object is."""
    os.makedirs(os.path.join(folder, "images"), exist_ok=True)
    entries = [{"id": k, "file_name": f"00000{k}.jpg", "width": 320, "height": 240} for k in (1, 2)]
    for entry in entries if images else []:
        photo = np.full((240, 320, 3), 40, np.uint8)
        for a in annotations:
            if a.get("image_id") == entry["id"] and isinstance(a.get("bbox"), list) and len(a["bbox"]) == 4:
                x, y, w, h = (int(round(v)) for v in a["bbox"])
                photo[y:y + h, x:x + w] = 220
        Image.fromarray(photo).save(os.path.join(folder, "images", entry["file_name"]), quality=95)
    categories = [{"id": 1, "name": "person"}, {"id": 2, "name": "dog"}, {"id": 3, "name": "cup"}]
    with open(os.path.join(folder, "instances.json"), "w", encoding="utf-8") as handle:
        json.dump({"images": entries, "annotations": annotations, "categories": categories}, handle)
    return str(folder)


@pytest.fixture
def coco(tmp_path):
    return write_coco(tmp_path / "coco")


def test_reader_gives_boxes_categories_and_names(coco):
    objects = read_coco_objects(coco)
    assert [o.name for o in objects] == ["coco-person-000001-1", "coco-dog-000001-2", "coco-cup-000002-4",
                                         "coco-person-000002-5"]            # the crowd region is skipped
    assert objects[1].box == (200.5, 150.25, 50.0, 40.0) and objects[1].category == "dog"
    assert objects[0].image.endswith(os.path.join("images", "000001.jpg")) and objects[0].width == 320
    assert [o.name for o in read_coco_objects(os.path.join(coco, "instances.json"), min_size=24)] == [
        "coco-person-000001-1", "coco-dog-000001-2", "coco-person-000002-5"]   # the 12 px cup is too small


def test_a_box_past_the_photo_is_clipped(tmp_path):
    folder = write_coco(tmp_path / "c", [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [300, 200, 40, 60]}])
    assert read_coco_objects(folder)[0].box == (300.0, 200.0, 20.0, 40.0)


@pytest.mark.parametrize("annotation, message", [
    ({"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3]}, "bbox must be four finite numbers"),
    ({"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 0, 5]}, "is empty or outside"),
    ({"id": 1, "image_id": 1, "category_id": 1, "bbox": [400, 2, 5, 5]}, "is empty or outside"),
    ({"id": 1, "image_id": 9, "category_id": 1, "bbox": [1, 2, 5, 5]}, "names no image or category"),
    ({"id": 1, "category_id": 1, "bbox": [1, 2, 5, 5]}, "'image_id' missing"),
])
def test_malformed_annotations_are_errors(tmp_path, annotation, message):
    folder = write_coco(tmp_path / "c", [annotation])
    with pytest.raises(TfLuError, match=message):
        read_coco_objects(folder)


def test_missing_or_malformed_files_are_errors(tmp_path, coco):
    with pytest.raises(TfLuError, match="COCO annotation file not found"):
        read_coco_objects(str(tmp_path / "absent"))
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(TfLuError, match="malformed COCO annotation file"):
        read_coco_objects(str(tmp_path / "bad.json"))
    (tmp_path / "other.json").write_text('{"images": []}')
    with pytest.raises(TfLuError, match="not COCO detection JSON"):
        read_coco_objects(str(tmp_path / "other.json"))
    os.remove(os.path.join(coco, "images", "000002.jpg"))
    with pytest.raises(TfLuError, match="photo not found"):
        read_coco_objects(coco)
    with pytest.raises(TfLuError, match="no object with a shorter side of at least 500 px"):
        read_coco_objects(write_coco(tmp_path / "big"), min_size=500)


def test_a_window_is_the_same_as_the_square_crop():
    """With equal sides the warp is the curation's own square crop (crop_numpy), so stills and videos agree."""
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 255, (240, 320, 3)).astype(np.uint8)
    for centre, side in (((100.0, 80.0), 120.0), ((300.0, 20.0), 200.0), ((160.5, 119.5), 60.0)):
        got = warp_window(photo, centre, (side, side)).astype(float)
        expected = crop_numpy(photo, centre, side, 255).astype(float)
        assert np.abs(got - expected).mean() < 1.0


def test_copies_are_centred_on_the_object_with_its_box():
    photo = np.full((240, 320, 3), 40, np.uint8)
    photo[40:130, 30:90] = 220                              # the person of ANNOTATIONS, 60 x 90
    plain = StillAugment(scale=0.0, aspect=0.0, blur=0.0)
    crop, box = augmented_copy(photo, (30, 40, 60, 90), np.random.default_rng(0), plain)
    side = search_side(60, 90)
    np.testing.assert_allclose(box[2:], np.array([60, 90]) * 254 / (side - 1), rtol=1e-9)
    np.testing.assert_allclose(np.array(box[:2]) + (np.array(box[2:]) - 1) / 2, [127, 127])
    bright = np.argwhere(crop[:, :, 0] > 130)
    np.testing.assert_allclose(bright.min(axis=0), [box[1], box[0]], atol=1.5)
    np.testing.assert_allclose(bright.max(axis=0), [box[1] + box[3] - 1, box[0] + box[2] - 1], atol=1.5)
    stretched = StillAugment(scale=0.3, aspect=0.3, blur=0.0)
    sizes = np.array([augmented_copy(photo, (30, 40, 60, 90), np.random.default_rng(k), stretched)[1][2:]
                      for k in range(20)])
    ratio = sizes[:, 0] / sizes[:, 1] / (60 / 90)
    assert ratio.min() < 0.9 < 1.1 < ratio.max() and np.all((ratio > 1 / 1.3 ** 2 - 1e-9) & (ratio < 1.3 ** 2 + 1e-9))


def test_still_tracks_carry_class_and_source(coco):
    tracks = still_crop_tracks(coco, np.random.default_rng(0), StillAugment(copies=3), min_size=0, progress=False)
    assert [t.label for t in tracks] == ["person", "animal", "cup", "person"]     # dog is in the animal class
    assert all(t.source == "still" and len(t.crops) == 3 and t.boxes.shape == (3, 4) for t in tracks)
    assert ClassIndex(tracks).groups == {"person": [0, 3], "animal": [1], "cup": [2]}


def test_stills_are_drawn_with_their_share():
    def track(name, source="video"):
        return CropTrack(name, [np.zeros((255, 255, 3), np.uint8)] * 3, np.tile([96.0, 96, 64, 64], (3, 1)),
                         source=source)
    video, generated, stills = [track("dog"), track("vot_car1")], [track("synthetic-0001")], [track("a", "still")]
    pools, weights = _pools(video + generated + stills, {"synthetic": 0.2, "still": 0.3})
    assert [[t.name for t in p] for p in pools] == [["synthetic-0001"], ["a"], ["dog", "vot_car1"]]
    np.testing.assert_allclose(weights, [0.2, 0.3, 0.5])
    with pytest.raises(TfLuError, match="need data.still_weight"):
        _pools(video + stills, {"synthetic": None, "still": None})
    stream = pair_stream(video + stills, [], np.random.default_rng(0), 0.0, still_weight=0.5)
    sources = [next(stream)[2] for _ in range(400)]
    assert 0.4 < sources.count("a") / 400 < 0.6


def test_still_sources_need_three_copies(coco):
    with pytest.raises(TfLuError, match="still_copies must be at least 3"):
        still_sources([coco], DataConfig(still_copies=2))
    assert still_sources([], DataConfig()) is None


def test_make_pairs_with_stills(tmp_path, capsys, coco, generated_otb_folder):
    config = tmp_path / "stills.yaml"
    config.write_text("data:\n  pairs: 12\n  shards: 2\n  still_weight: 0.5\n  negative_fraction: 0.2\n")
    out = tmp_path / "pairs"
    code, printed, err = run_cli(capsys, "make-pairs", "--config", config, "--frames", generated_otb_folder,
                                 "--stills", coco, "--out", out)
    assert code == 0, err
    with open(out / "manifest.json", encoding="utf-8") as handle:
        manifest = json.load(handle)
    assert manifest["count"] == 12 and manifest["sources"]["stills"] == ["coco"]
    assert manifest["still_objects"] == 3 and manifest["still_weight"] == 0.5     # the 12 px cup is left out
    code, _, err = run_cli(capsys, "make-pairs", "--frames", generated_otb_folder, "--stills", coco,
                           "--out", tmp_path / "other")
    assert_user_error(code, err, "--stills needs data.still_weight")
