"""Pair records (feature extractor): one ``tf.train.Example`` per pair with JPEG ``exemplar`` (143x143, the 127
exemplar window with a margin for augmentation), JPEG ``search`` (255x255, target centred), ``source``,
``composite`` and ``negative`` (a pair of two different objects: all labels negative), in shards
``pairs-XXXXX-of-YYYYY.tfrecord``.  Written by :func:`write_pair_records` (or a curation's pair stage), read and
augmented by :func:`pair_dataset`.
"""
import glob
import os

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.data.records.common import (bytes_feature, encode_jpeg, int_feature, pair_shard_name, record_writer,
                                       write_json)
from tf_lu.data.records.degrade import degrade_pair
from tf_lu.errors import TfLuError
from tf_lu.models.labels import centred_label_map

PAIR_FEATURES = {
    "exemplar": tf.io.FixedLenFeature([], tf.string),
    "search": tf.io.FixedLenFeature([], tf.string),
    "source": tf.io.FixedLenFeature([], tf.string, default_value=b""),
    "composite": tf.io.FixedLenFeature([], tf.int64, default_value=0),
    "negative": tf.io.FixedLenFeature([], tf.int64, default_value=0),
}


def pair_example(exemplar, search, source, composite, negative=0):
    """One serialized pair: exemplar and search crops (uint8 RGB), the source name, the composite flag and the
    negative flag (exemplar and search show different objects: every label is negative)."""
    return tf.train.Example(features=tf.train.Features(feature={
        "exemplar": bytes_feature(encode_jpeg(exemplar)), "search": bytes_feature(encode_jpeg(search)),
        "source": bytes_feature(source.encode()), "composite": int_feature(composite),
        "negative": int_feature(negative)})).SerializeToString()


def write_pair_shards(serialized, out_dir, count, shards, resume=True, bar=None):
    """Write ``count`` serialized records from the iterator ``serialized`` into ``shards`` files
    ``out_dir/pairs-XXXXX-of-YYYYY.tfrecord``; returns ``{file name: {"records", "bytes"}}`` for a manifest.

    Shards are written to a temporary name and renamed when complete, so a killed run leaves only whole shards; with
    ``resume``, shards that already exist are kept and skipped without drawing from ``serialized``.  ``bar``: a tqdm
    bar advanced per record.
    """
    os.makedirs(out_dir, exist_ok=True)
    per_shard = int(np.ceil(count / shards))
    written = {}
    for shard in range(shards):
        path = os.path.join(out_dir, pair_shard_name(shard, shards))
        n = min(per_shard, count - shard * per_shard)
        if resume and os.path.exists(path):
            if bar is not None:
                bar.update(n)
        else:
            with record_writer(path) as writer:
                for _ in range(n):
                    writer.write(next(serialized))
                    if bar is not None:
                        bar.update(1)
        written[os.path.basename(path)] = {"records": n, "bytes": os.path.getsize(path)}
    return written


def write_pair_records(pairs, out_dir, count, shards=8, manifest=None, progress=True):
    """Write ``count`` pairs drawn from the iterator ``pairs`` (``(exemplar, search, source, composite)``) into
    ``out_dir/pairs-XXXXX-of-YYYYY.tfrecord`` (:func:`write_pair_shards`: a killed run resumes), and
    ``manifest.json`` (with each shard's record count and size in bytes under ``shard_files``, which training checks:
    :mod:`tf_lu.data.shard_check`).
    """
    with tqdm(total=count, desc="pairs", unit="pair", disable=not progress) as bar:
        written = write_pair_shards((pair_example(*pair) for pair in pairs), out_dir, count, shards, bar=bar)
    write_json(os.path.join(out_dir, "manifest.json"), {"kind": "pairs", "count": count, "shards": shards,
                                                        "shard_files": written, **(manifest or {})})


def pair_files(path):
    """The ``pairs-*.tfrecord`` shards of ``path``; none is a :class:`TfLuError` (naming the other shards found)."""
    files = sorted(glob.glob(os.path.join(path, "pairs-*.tfrecord")))
    if not files:
        others = sorted(os.path.basename(f) for f in glob.glob(os.path.join(path, "*.tfrecord")))
        found = f" (it holds {', '.join(others[:2])}{', ...' if len(others) > 2 else ''}: not pair records)" \
            if others else ""
        raise TfLuError(f"no pair records (pairs-*.tfrecord) in {path}{found}")
    return files


def _random_window(image, side, center, out_size):
    """Crop a square of ``side`` at ``center`` (pixels) and resize to ``out_size`` (mean padded)."""
    size = tf.cast(tf.shape(image)[0], tf.float32)
    half = (side - 1.0) / 2.0
    box = tf.stack([center[1] - half, center[0] - half, center[1] + half, center[0] + half]) / (size - 1.0)
    mean = tf.reduce_mean(image, axis=[0, 1])
    return tf.image.crop_and_resize((image - mean)[None], box[None], [0], [out_size, out_size])[0] + mean


def augment_pair(exemplar, search, train_config):
    """Stretch, translate, flip and colour augmentation; returns (exemplar 127, search ``instance_size``)."""
    cfg = train_config
    exemplar = tf.cast(exemplar, tf.float32)
    search = tf.cast(search, tf.float32)
    s = cfg.stretch
    z_mid = (tf.cast(tf.shape(exemplar)[0], tf.float32) - 1.0) / 2.0
    z_side = cfg.exemplar_size * tf.random.uniform([], 1 - s, 1 + s)
    exemplar = _random_window(exemplar, z_side, tf.stack([z_mid, z_mid]), cfg.exemplar_size)
    x_mid = (tf.cast(tf.shape(search)[0], tf.float32) - 1.0) / 2.0
    shift = tf.random.uniform([2], -float(cfg.shift), float(cfg.shift))
    x_side = cfg.instance_size * tf.random.uniform([], 1 - s, 1 + s)
    search = _random_window(search, x_side, x_mid + shift, cfg.instance_size)
    if cfg.flip:
        flip = tf.random.uniform([]) < 0.5
        exemplar = tf.cond(flip, lambda: exemplar[:, ::-1], lambda: exemplar)
        search = tf.cond(flip, lambda: search[:, ::-1], lambda: search)
    if cfg.colour > 0:
        gain = tf.random.uniform([], 1 - cfg.colour, 1 + cfg.colour)
        offset = tf.random.uniform([], -cfg.colour, cfg.colour) * 255.0
        exemplar = tf.clip_by_value(exemplar * gain + offset, 0, 255)
        search = tf.clip_by_value(search * tf.random.uniform([], 1 - cfg.colour, 1 + cfg.colour) + offset, 0, 255)
    return exemplar, search


def response_size(train_config, backbone_stride=8, exemplar_feature=6):
    return (train_config.instance_size - train_config.exemplar_size) // backbone_stride + 1


def pair_dataset(path, train_config, total_stride=8, repeat=True, shuffle=2048):
    """``tf.data`` pipeline over pair records: ``((exemplars, searches), labels)`` batches for ``model.fit``."""
    files = pair_files(path)
    size = response_size(train_config, total_stride)
    labels = tf.constant(centred_label_map(size, total_stride, train_config.positive_radius)[:, :, None])

    def parse(record):
        example = tf.io.parse_single_example(record, PAIR_FEATURES)
        exemplar = tf.io.decode_jpeg(example["exemplar"], channels=3)
        search = tf.io.decode_jpeg(example["search"], channels=3)
        exemplar, search = augment_pair(exemplar, search, train_config)
        exemplar, search = degrade_pair(exemplar, search, train_config)
        exemplar.set_shape([train_config.exemplar_size, train_config.exemplar_size, 3])
        search.set_shape([train_config.instance_size, train_config.instance_size, 3])
        return (exemplar, search), labels * (1.0 - tf.cast(example["negative"], labels.dtype))

    dataset = tf.data.Dataset.from_tensor_slices(files)
    dataset = dataset.shuffle(len(files), seed=train_config.seed) if shuffle else dataset
    dataset = dataset.interleave(tf.data.TFRecordDataset, cycle_length=min(4, len(files)),
                                 num_parallel_calls=tf.data.AUTOTUNE)
    if shuffle:
        dataset = dataset.shuffle(shuffle, seed=train_config.seed)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(train_config.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)
