"""Record formats (tf_lu/data/records/): file names, bucket listing, atomic writing, round trips."""
import os

import numpy as np
import pytest
import tensorflow as tf

from tf_lu.data.records.common import (feature_file_name, files_by_length, pair_shard_name, record_writer,
                                       sequence_file_name)
from tf_lu.data.records.features import FEATURE_CONTEXT, FEATURE_LISTS, feature_buckets, feature_example
from tf_lu.data.records.sequences import parse_sequence, sequence_buckets, write_sequence_shard
from tf_lu.errors import TfLuError


def test_file_names():
    assert pair_shard_name(3, 12) == "pairs-00003-of-00012.tfrecord"
    assert sequence_file_name(25, 7) == "seq-L025-00007.tfrecord"
    assert feature_file_name("/x/seq-L025-00007.tfrecord", "train") == "feat-L025-00007-train.tfrecord"
    assert feature_file_name("seq-L150-00000.tfrecord", "syn", mirror=True) == "feat-L150-00000-syn-mirror.tfrecord"


def test_bucket_listing(tmp_path):
    for name in ("seq-L025-00000.tfrecord", "seq-L025-00001.tfrecord", "seq-L050-00000.tfrecord",
                 "feat-L025-00000-a.tfrecord", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    buckets = sequence_buckets(str(tmp_path))
    assert sorted(buckets) == [25, 50] and len(buckets[25]) == 2
    assert list(feature_buckets(str(tmp_path))) == [25]
    with pytest.raises(TfLuError, match=r"no feature records \(feat-L\*-\*.tfrecord\) in .*cache-features"):
        feature_buckets(str(tmp_path / "none"))
    assert files_by_length(str(tmp_path), "seq", "x") == buckets


def test_record_writer_is_atomic(tmp_path):
    path = str(tmp_path / "r.tfrecord")
    with pytest.raises(RuntimeError):
        with record_writer(path) as writer:
            writer.write(b"half")
            raise RuntimeError("killed")
    assert os.listdir(tmp_path) == []
    with record_writer(path) as writer:
        writer.write(b"whole")
    assert os.listdir(tmp_path) == ["r.tfrecord"]
    assert [r.numpy() for r in tf.data.TFRecordDataset(path)] == [b"whole"]


def test_sequence_round_trip(tmp_path):
    crops = [np.full((16, 16, 3), v, np.uint8) for v in (10, 200)]
    boxes = np.array([[1, 2, 3, 4], [np.nan] * 4])
    path = str(tmp_path / sequence_file_name(2, 0))
    write_sequence_shard(path, [("otb/a#0", crops, boxes)])
    parsed = parse_sequence(next(iter(tf.data.TFRecordDataset(path))))
    assert parsed["name"].numpy() == b"otb/a#0" and int(parsed["length"]) == 2
    np.testing.assert_array_equal(parsed["absent"].numpy(), [False, True])
    np.testing.assert_allclose(parsed["boxes"].numpy(), [[1, 2, 3, 4], [0, 0, 0, 0]])
    assert abs(int(parsed["frames"].numpy()[1].mean()) - 200) <= 2


def test_feature_example_round_trip():
    features = np.arange(2 * 3 * 3 * 4, dtype=np.float32).reshape(2, 3, 3, 4) / 10
    record = feature_example(b"syn/b#1", features, [False, True], [[0.5, -1.0], [2.0, 3.0]])
    context, lists = tf.io.parse_single_sequence_example(record, FEATURE_CONTEXT, FEATURE_LISTS)
    assert context["name"].numpy() == b"syn/b#1" and int(context["length"]) == 2
    decoded = tf.reshape(tf.io.decode_raw(lists["features"], tf.float16), [-1, 3, 3, 4]).numpy()
    np.testing.assert_array_equal(decoded, features.astype(np.float16))
    np.testing.assert_array_equal(lists["offset"].numpy(), [[0.5, -1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(lists["absent"].numpy(), [0, 1])
