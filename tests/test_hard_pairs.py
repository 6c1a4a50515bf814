"""Pairs that teach discrimination (tf_lu/data/pairs/hard.py, object_classes.py), the pair stream's kinds and
pools, the validation hold-out, and the video degradations (tf_lu/data/records/degrade.py)."""
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import DataConfig, TrainConfig, load_config
from tf_lu.data.curation.crop_sources import _held_out
from tf_lu.data.curation.pair_stage import pair_stream
from tf_lu.data.pairs.hard import ClassIndex, lookalike_pair, negative_pair
from tf_lu.data.pairs.object_classes import object_class, tracks_by_class
from tf_lu.data.pairs import EXEMPLAR_MARGIN, CropTrack, center_window
from tf_lu.data.records import write_pair_records
from tf_lu.data.records.degrade import degrade_pair, grayscale, illumination, motion_blur, occlude
from tf_lu.data.records.pairs import pair_dataset
from tf_lu.errors import TfLuError


def _track(name, value, frames=6, change=1):
    """A crop track whose crops are flat ``value`` with a brighter 64x64 target in the middle (``change`` brighter
    in each frame)."""
    crops = []
    for k in range(frames):
        crop = np.full((255, 255, 3), value, np.uint8)
        crop[96:160, 96:160] = min(255, value + 60 + change * k)
        crops.append(crop)
    boxes = np.tile([96.0, 96.0, 64.0, 64.0], (frames, 1))
    return CropTrack(name, crops, boxes)


TRACKS = [_track("uav123_10fps_car14", 20), _track("vot_car1", 80), _track("dog", 140), _track("synthetic-0001", 200)]


def test_object_classes_come_from_the_names():
    assert object_class("uav123_10fps_person12_1") == object_class("tld_pedestrian2") == "person"
    assert object_class("uavdt_S0310") == object_class("vot_car1") == "car"
    assert object_class("libby") == "animal" and object_class("mystery") == "mystery"
    assert tracks_by_class(TRACKS) == {"car": [0, 1], "animal": [2], "synthetic": [3]}


def test_negative_pairs_show_two_objects():
    rng = np.random.default_rng(0)
    index = ClassIndex(TRACKS)
    for _ in range(20):
        exemplar, search, source = negative_pair(TRACKS[:1], index, rng, same_class=1.0)
        assert exemplar.shape == (EXEMPLAR_MARGIN, EXEMPLAR_MARGIN, 3) and search.shape == (255, 255, 3)
        assert source == "uav123_10fps_car14-vs-vot_car1"      # the other car: same class asked for
        assert search[0, 0, 0] == 80
    others = {negative_pair(TRACKS[:1], index, rng, same_class=0.0)[2] for _ in range(40)}
    assert len(others) == 3 and not any(s.endswith("-vs-uav123_10fps_car14") for s in others)


def test_lookalike_pairs_paste_beside_the_target_only():
    rng = np.random.default_rng(1)
    still = _track("dog", 140, change=0)
    exemplar, search, source = lookalike_pair([still], ClassIndex(TRACKS[:2] + [still]), rng, max_distractors=2)
    original = still.crops[0]
    assert source == "dog+lookalike"
    np.testing.assert_array_equal(exemplar[20:-20, 20:-20], center_window(original, EXEMPLAR_MARGIN)[20:-20, 20:-20])
    changed = np.any(search != original, axis=2)
    assert changed.any()                                    # something was pasted
    assert not changed[112:144, 112:144].any()              # but not over the middle of the target


def test_pair_stream_kinds_and_pools():
    rng = np.random.default_rng(2)
    stream = pair_stream(TRACKS, [], rng, composite_fraction=0.0, negative_fraction=0.5, lookalike_fraction=0.25,
                         synthetic_weight=0.5)
    pairs = [next(stream) for _ in range(400)]
    assert all(len(p) == 5 for p in pairs)
    negatives = np.mean([p[4] for p in pairs])
    lookalikes = np.mean(["+lookalike" in p[2] for p in pairs])
    generated = np.mean([p[2].startswith("synthetic") for p in pairs])
    assert 0.4 < negatives < 0.6 and 0.15 < lookalikes < 0.35 and 0.4 < generated < 0.6


def test_hold_out_removes_tracks_and_rejects_unknown_names():
    assert [t.name for t in _held_out(TRACKS, ("dog",))] == ["uav123_10fps_car14", "vot_car1", "synthetic-0001"]
    with pytest.raises(TfLuError, match="in no source: dgo"):
        _held_out(TRACKS, ("dgo",))


def test_fractions_over_one_are_a_config_error():
    with pytest.raises(TfLuError, match="add up to at most 1"):
        load_config(overrides={"data": {"negative_fraction": 0.5, "lookalike_fraction": 0.4}})
    assert DataConfig().negative_fraction == 0.0


def test_negative_pairs_have_all_negative_labels(tmp_path):
    rng = np.random.default_rng(3)
    stream = pair_stream(TRACKS, [], rng, composite_fraction=0.0, negative_fraction=0.5)
    write_pair_records(stream, str(tmp_path), count=16, shards=1, progress=False)
    config = TrainConfig(batch_size=16)
    (_, _), labels = next(iter(pair_dataset(str(tmp_path), config, shuffle=0, repeat=False)))
    positives = tf.reduce_sum(labels, axis=[1, 2, 3]).numpy()
    assert set(positives.tolist()) == {0.0, float(positives.max())} and positives.max() > 0
    assert 3 <= int(np.sum(positives == 0)) <= 13


def test_degradations():
    image = tf.random.uniform([64, 64, 3], 0, 255, seed=4)
    gray = grayscale(image).numpy()
    np.testing.assert_allclose(gray[..., 0], gray[..., 2])
    flat = tf.fill([32, 32, 3], 100.0)
    np.testing.assert_allclose(motion_blur(flat).numpy(), 100.0, atol=1e-3)   # a normalised kernel
    assert abs(float(tf.reduce_mean(motion_blur(image))) - float(tf.reduce_mean(image))) < 5
    covered = np.any(occlude(image, 32.0).numpy() != image.numpy(), axis=2)
    assert covered.any() and not covered[:8].any() and not covered[:, :8].any()
    lit = illumination(image, 0.3).numpy()
    assert lit.min() >= 0 and lit.max() <= 255
    exemplar, search = degrade_pair(image, image, TrainConfig())
    np.testing.assert_array_equal(exemplar.numpy(), image.numpy())             # all off: untouched
    np.testing.assert_array_equal(search.numpy(), image.numpy())


def test_init_weights_that_are_missing_are_a_config_error(tmp_path):
    from tf_lu.training.extractor import build_training_model
    config = load_config(overrides={"backbone": {"width": 0.25},
                                    "train": {"init_weights": str(tmp_path / "none.weights.h5")}})
    with pytest.raises(TfLuError, match="train.init_weights: no such file"):
        build_training_model(config)
