"""Sequence records (learned updater): length-bucketed, target-centred crop sequences.

One ``tf.train.SequenceExample`` per training sequence: context ``name`` and ``length``; feature lists ``frames``
(JPEG 255x255 crops centred on the ground-truth target, the SiamFC curation), ``boxes`` (0-based x, y, w, h in crop
coordinates) and ``absent``.  Files are named ``seq-L{length:03d}-{shard:05d}.tfrecord``
(:func:`~tf_lu.data.records.common.sequence_file_name`) so that every file holds one bucket length (a multiple of
the unroll length H).
"""
import numpy as np
import tensorflow as tf

from tf_lu.data.records.common import (bytes_feature, encode_jpeg, files_by_length, float_feature, int_feature,
                                       record_writer)

SEQUENCE_CONTEXT = {"name": tf.io.FixedLenFeature([], tf.string), "length": tf.io.FixedLenFeature([], tf.int64)}
SEQUENCE_FEATURES = {"frames": tf.io.FixedLenSequenceFeature([], tf.string),
                     "boxes": tf.io.FixedLenSequenceFeature([4], tf.float32),
                     "absent": tf.io.FixedLenSequenceFeature([], tf.int64)}


def sequence_example(name, crops, boxes):
    """Serialize one crop sequence (list of 255x255 uint8 crops, (N, 4) boxes with NaN rows for absent frames)."""
    boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
    absent = ~np.all(np.isfinite(boxes), axis=1)
    clean = np.where(absent[:, None], 0.0, boxes)
    feature_lists = tf.train.FeatureLists(feature_list={
        "frames": tf.train.FeatureList(feature=[bytes_feature(encode_jpeg(c)) for c in crops]),
        "boxes": tf.train.FeatureList(feature=[float_feature(b) for b in clean]),
        "absent": tf.train.FeatureList(feature=[int_feature(a) for a in absent])})
    context = tf.train.Features(feature={"name": bytes_feature(name.encode()), "length": int_feature(len(crops))})
    return tf.train.SequenceExample(context=context, feature_lists=feature_lists).SerializeToString()


def write_sequence_shard(path, items):
    """Write ``(name, crops, boxes)`` items to ``path`` atomically (temporary name, then rename)."""
    with record_writer(path) as writer:
        for name, crops, boxes in items:
            writer.write(sequence_example(name, crops, boxes))


def parse_sequence(record):
    """One serialized sequence -> dict(name, length, frames (L, 255, 255, 3) uint8, boxes (L, 4), absent (L,))."""
    context, lists = tf.io.parse_single_sequence_example(record, SEQUENCE_CONTEXT, SEQUENCE_FEATURES)
    frames = tf.map_fn(lambda b: tf.io.decode_jpeg(b, channels=3), lists["frames"], fn_output_signature=tf.uint8)
    return {"name": context["name"], "length": context["length"], "frames": frames,
            "boxes": lists["boxes"], "absent": tf.cast(lists["absent"], tf.bool)}


def sequence_buckets(path):
    """``{length: [files]}`` of the sequence records in ``path``."""
    return files_by_length(path, "seq", "sequence records")
