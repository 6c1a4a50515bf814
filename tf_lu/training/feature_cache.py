"""Cache search features of sequence records under the frozen feature extractor.

Meta-training looks at every frame many times but never changes the extractor, so each bucket file
``seq-L{L}-{k}.tfrecord`` (JPEG crops) becomes ``feat-L{L}-{k}-{folder}.tfrecord`` holding the (S, S, C) float16 search
features of every frame (255 crop -> 22x22xC for SiamFC) and the absent flags.  Cached shards are kept and skipped
on a rerun.  ``feature_meta.json`` records the feature shape and the extractor used.
"""
import json
import os

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.records import parse_sequence, sequence_buckets

FEATURE_CONTEXT = {"name": tf.io.FixedLenFeature([], tf.string), "length": tf.io.FixedLenFeature([], tf.int64)}
FEATURE_LISTS = {"features": tf.io.FixedLenSequenceFeature([], tf.string),
                 "absent": tf.io.FixedLenSequenceFeature([], tf.int64)}


def feature_example(name, features, absent):
    features = np.asarray(features, dtype=np.float16)
    lists = tf.train.FeatureLists(feature_list={
        "features": tf.train.FeatureList(feature=[tf.train.Feature(bytes_list=tf.train.BytesList(value=[f.tobytes()]))
                                                  for f in features]),
        "absent": tf.train.FeatureList(feature=[tf.train.Feature(int64_list=tf.train.Int64List(value=[int(a)]))
                                                for a in absent])})
    context = tf.train.Features(feature={
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[name])),
        "length": tf.train.Feature(int64_list=tf.train.Int64List(value=[len(features)]))})
    return tf.train.SequenceExample(context=context, feature_lists=lists).SerializeToString()


def cache_features(sequence_dir, out_dir, backbone, batch=32, progress=True, source=""):
    """Run ``backbone`` over every frame of the sequence records in ``sequence_dir``; write feature records."""
    os.makedirs(out_dir, exist_ok=True)
    extract = tf.function(lambda x: backbone(x, training=False), reduce_retracing=True)
    files = [f for fs in sequence_buckets(sequence_dir).values() for f in fs]
    shape = None
    for file in tqdm(files, desc="cache features", unit="shard", disable=not progress):
        # feat-L{L}-{shard}-{source folder}.tfrecord: several sequence folders can share one feature folder
        tag = os.path.basename(os.path.normpath(sequence_dir))
        target = os.path.join(out_dir, os.path.basename(file).replace("seq-", "feat-", 1)
                              .replace(".tfrecord", f"-{tag}.tfrecord"))
        if os.path.exists(target):
            continue
        with tf.io.TFRecordWriter(target + ".tmp") as writer:
            for record in tf.data.TFRecordDataset(file):
                sequence = parse_sequence(record)
                frames = tf.cast(sequence["frames"], tf.float32)
                features = np.concatenate([extract(frames[i:i + batch]).numpy()
                                           for i in range(0, int(frames.shape[0]), batch)])
                shape = features.shape[1:]
                writer.write(feature_example(sequence["name"].numpy(), features, sequence["absent"].numpy()))
        os.replace(target + ".tmp", target)
    meta_path = os.path.join(out_dir, "feature_meta.json")
    if shape is not None or not os.path.exists(meta_path):
        with open(meta_path, "w", encoding="utf-8") as handle:
            json.dump({"shape": list(shape) if shape is not None else None, "dtype": "float16",
                       "extractor": source}, handle, indent=2)
    return out_dir


def feature_buckets(path):
    """``{length: [files]}`` of the feature records in ``path``."""
    import glob
    from tf_lu.errors import TfLuError
    buckets = {}
    for file in sorted(glob.glob(os.path.join(path, "feat-L*-*.tfrecord"))):
        buckets.setdefault(int(os.path.basename(file)[6:9]), []).append(file)
    if not buckets:
        raise TfLuError(f"no feature records (feat-L*-*.tfrecord) in {path}; run tools/cache_features.py first")
    return buckets


def feature_shape(path):
    with open(os.path.join(path, "feature_meta.json"), encoding="utf-8") as handle:
        return tuple(json.load(handle)["shape"])


def chunk_dataset(path, batch_size, unroll, seed=0, repeat=True):
    """Length-homogeneous batches of ``batch_size`` sequences cut into consecutive chunks of ``unroll`` frames.

    Yields ``(features (B, H, S, S, C) float32, absent (B, H) bool, reset () bool)``: ``reset`` is True on the first
    chunk of a new batch of sequences, when the trainer must reset its carried state.  Buckets are sampled in
    proportion to the frames they hold, one whole batch at a time (so a batch's chunks stay consecutive); within a
    batch all sequences have the same length, a multiple of ``unroll``.  Returns ``(dataset, (S, C))``.
    """
    shape = feature_shape(path)

    def parse(record):
        _, lists = tf.io.parse_single_sequence_example(record, FEATURE_CONTEXT, FEATURE_LISTS)
        features = tf.reshape(tf.io.decode_raw(lists["features"], tf.float16), [-1, *shape])
        return features, tf.cast(lists["absent"], tf.bool)

    def chunks(features, absent):
        starts = tf.range(tf.shape(features)[1] // unroll) * unroll
        return tf.data.Dataset.from_tensor_slices(starts).map(
            lambda s: (tf.cast(features[:, s:s + unroll], tf.float32), absent[:, s:s + unroll], tf.equal(s, 0)))

    datasets, weights = [], []
    for length, files in sorted(feature_buckets(path).items()):
        if length % unroll:
            continue
        ds = tf.data.TFRecordDataset(files).shuffle(16, seed=seed)   # a 150-frame record is ~19 MB
        ds = (ds.repeat() if repeat else ds).map(parse).batch(batch_size, drop_remainder=True)
        datasets.append(ds)
        weights.append(float(len(files)) * length)
    if not datasets:
        from tf_lu.errors import TfLuError
        raise TfLuError(f"no feature buckets in {path} have a length that is a multiple of H={unroll}")
    mixed = datasets[0] if len(datasets) == 1 else tf.data.Dataset.sample_from_datasets(
        datasets, weights=(np.asarray(weights) / np.sum(weights)).tolist(), seed=seed)
    return mixed.flat_map(chunks).prefetch(2), (shape[0], shape[2])
