"""What every record format shares: feature helpers, JPEG encoding, file names, bucket listing, atomic writing."""
import contextlib
import glob
import json
import os
import re

import tensorflow as tf

from tf_lu.atomic_files import write_json_atomic
from tf_lu.errors import TfLuError


def bytes_feature(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def int_feature(value):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(value)]))


def float_feature(values):
    return tf.train.Feature(float_list=tf.train.FloatList(value=values))


def encode_jpeg(image, quality=90):
    return tf.io.encode_jpeg(tf.constant(image, tf.uint8), quality=quality).numpy()


def pair_shard_name(shard, shards):
    """``pairs-{shard:05d}-of-{shards:05d}.tfrecord``: one shard of pair records."""
    return f"pairs-{shard:05d}-of-{shards:05d}.tfrecord"


def sequence_file_name(length, shard):
    """``seq-L{length:03d}-{shard:05d}.tfrecord``: sequence records of one bucket length."""
    return f"seq-L{length:03d}-{shard:05d}.tfrecord"


def feature_file_name(sequence_file, tag, mirror=False):
    """The feature records of a sequence-record file: ``seq-L{L}-{k}.tfrecord`` ->
    ``feat-L{L}-{k}-{tag}[-mirror].tfrecord`` (``tag``: the sequence folder, so several can share a feature folder)."""
    return (os.path.basename(sequence_file).replace("seq-", "feat-", 1)
            .replace(".tfrecord", f"-{tag}{'-mirror' if mirror else ''}.tfrecord"))


def files_by_length(path, prefix, what, hint=""):
    """``{length: [files]}`` of the ``{prefix}-L{length:03d}-*.tfrecord`` files in ``path``; none is a TfLuError
    saying ``what`` is missing (and ``hint``: how to make it)."""
    buckets = {}
    for file in sorted(glob.glob(os.path.join(path, f"{prefix}-L*-*.tfrecord"))):
        match = re.match(rf"{re.escape(prefix)}-L(\d+)-", os.path.basename(file))
        if not match:
            raise TfLuError(f"{file}: not a record file name of the form {prefix}-L<length>-<name>.tfrecord")
        buckets.setdefault(int(match.group(1)), []).append(file)
    if not buckets:
        raise TfLuError(f"no {what} ({prefix}-L*-*.tfrecord) in {path}{hint}")
    return buckets


@contextlib.contextmanager
def record_writer(path):
    """A ``TFRecordWriter`` into ``path + ".tmp"``, renamed to ``path`` when the block ends without an error (a killed
    run leaves only whole files); on an error the temporary file is removed."""
    writer = tf.io.TFRecordWriter(path + ".tmp")
    try:
        yield writer
    except BaseException:
        writer.close()
        if os.path.exists(path + ".tmp"):
            os.remove(path + ".tmp")
        raise
    writer.close()
    os.replace(path + ".tmp", path)


def write_json(path, data):
    """``data`` as indented JSON at ``path``, written atomically (temporary name, then rename)."""
    write_json_atomic(path, data)


def read_json(path):
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)
