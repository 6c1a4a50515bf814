"""Hard negatives mined from false peaks: the margin against hand-computed values, and the mined folder."""
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import TrainConfig
from tf_lu.data.records import write_pair_records
from tf_lu.data.records.pairs import PAIR_FEATURES, pair_dataset
from tf_lu.data.shard_check import verify_folder
from tf_lu.errors import TfLuError
from tf_lu.training.hard_mining import false_peak_margin, hardest, mine_hard_pairs

CENTRE = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]])


def test_margin_of_one_object_is_false_peak_minus_target_peak():
    responses = np.array([[[0, 1, 0], [0, 3, 0], [0, 0, 2]],       # target wins by 1
                          [[5, 0, 0], [0, 3, 0], [0, 0, 0]]])      # a false peak wins by 2
    assert false_peak_margin(responses, CENTRE, [0, 0]).tolist() == [-1.0, 2.0]


def test_margin_of_a_negative_pair_is_its_highest_response():
    responses = np.array([[[0, 1, 0], [0, 3, 0], [0, 0, 2]], [[-4, -2, -3], [-1, -5, -6], [-7, -8, -9]]])
    assert false_peak_margin(responses[..., None], CENTRE, [1, 1]).tolist() == [3.0, -1.0]


def test_margin_needs_cells_on_and_off_the_target():
    with pytest.raises(ValueError):
        false_peak_margin(np.zeros((1, 3, 3)), np.ones((3, 3)), [0])


def test_the_kinds_of_pair_are_ranked_apart():
    margins = np.array([-3.0, 4.0, -1.0, 5.0, 6.0, -2.0, 0.5, 7.0])
    negative = np.array([0, 1, 0, 1, 1, 0, 0, 1], bool)
    keep, kinds = hardest(margins, negative, 0.5)
    assert keep == [2, 4, 6, 7]            # one object: 0.5 and -1; negative pairs: 7 and 6 (not all four of them)
    assert kinds == {"one_object": {"scored": 4, "kept": 2, "threshold": -1.0, "false_peak_wins": 1},
                     "negative": {"scored": 4, "kept": 2, "threshold": 6.0, "false_peak_wins": 4}}


class BrightnessNetwork:
    """A stand-in extractor: one false peak, off the target, as high as the exemplar's mean brightness / 100."""

    def __call__(self, inputs, training=False):
        exemplars, _ = inputs
        peak = tf.reduce_mean(exemplars, axis=[1, 2, 3]) / 100.0
        corner = tf.one_hot(0, 15 * 15)
        return tf.reshape(peak[:, None] * corner[None], [-1, 15, 15, 1])


def _write_pairs(folder, values):
    pairs = iter([(np.full((143, 143, 3), v, np.uint8), np.full((255, 255, 3), 128, np.uint8), f"s{v}", 0)
                  for v in values])
    write_pair_records(pairs, str(folder), len(values), shards=2, progress=False)


def _sources(folder):
    files = sorted(verify_folder(str(folder)))
    return sorted(tf.io.parse_single_example(record, PAIR_FEATURES)["source"].numpy().decode()
                  for record in tf.data.TFRecordDataset(files))


def test_mining_keeps_the_pairs_with_the_highest_false_peaks(tmp_path):
    values = [10, 200, 40, 160, 70, 250, 100, 130]
    _write_pairs(tmp_path / "pairs", values)
    manifest = mine_hard_pairs(BrightnessNetwork(), str(tmp_path / "pairs"), str(tmp_path / "hard"), TrainConfig(),
                               8, fraction=0.5, shards=2, batch_size=3, progress=False)
    assert manifest["scored"] == 8 and manifest["count"] == 4
    assert _sources(tmp_path / "hard") == ["s130", "s160", "s200", "s250"]
    assert "negative" not in manifest
    assert manifest["one_object"]["false_peak_wins"] == 8
    assert manifest["one_object"]["threshold"] == pytest.approx(1.3, abs=0.02)
    margins = np.load(tmp_path / "hard" / "margins.npy")
    assert np.allclose(margins, np.array(values) / 100.0, atol=0.02)
    (exemplars, searches), labels = next(iter(pair_dataset(str(tmp_path / "hard"), TrainConfig(batch_size=2))))
    assert exemplars.shape[0] == 2 and labels.shape[0] == 2


def test_mining_a_limited_prefix(tmp_path):
    _write_pairs(tmp_path / "pairs", [10, 200, 40, 160, 70, 250, 100, 130])
    manifest = mine_hard_pairs(BrightnessNetwork(), str(tmp_path / "pairs"), str(tmp_path / "hard"), TrainConfig(),
                               8, fraction=0.5, limit=4, shards=2, progress=False)
    assert manifest["scored"] == 4 and manifest["count"] == 2


def test_mining_rejects_a_bad_fraction(tmp_path):
    _write_pairs(tmp_path / "pairs", [10, 20, 30, 40])
    for fraction in (0.0, 1.5):
        with pytest.raises(TfLuError, match="fraction"):
            mine_hard_pairs(BrightnessNetwork(), str(tmp_path / "pairs"), str(tmp_path / "hard"), TrainConfig(), 8,
                            fraction=fraction, progress=False)
