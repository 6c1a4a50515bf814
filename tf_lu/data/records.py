"""Sharded TFRecords for training, and their ``tf.data`` readers.

Pair records (feature extractor): one ``tf.train.Example`` per pair with JPEG ``exemplar`` (143x143, the 127
exemplar window with a margin for augmentation), JPEG ``search`` (255x255, target centred), ``source`` and
``composite``.  Written once by :func:`write_pair_records`, read and augmented by :func:`pair_dataset`.
"""
import glob
import json
import os

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.errors import TfLuError
from tf_lu.models.labels import centred_label_map

PAIR_FEATURES = {
    "exemplar": tf.io.FixedLenFeature([], tf.string),
    "search": tf.io.FixedLenFeature([], tf.string),
    "source": tf.io.FixedLenFeature([], tf.string, default_value=b""),
    "composite": tf.io.FixedLenFeature([], tf.int64, default_value=0),
}


def _bytes(value):
    return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))


def _int(value):
    return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(value)]))


def encode_jpeg(image, quality=90):
    return tf.io.encode_jpeg(tf.constant(image, tf.uint8), quality=quality).numpy()


def pair_example(exemplar, search, source, composite):
    return tf.train.Example(features=tf.train.Features(feature={
        "exemplar": _bytes(encode_jpeg(exemplar)), "search": _bytes(encode_jpeg(search)),
        "source": _bytes(source.encode()), "composite": _int(composite)})).SerializeToString()


def write_pair_records(pairs, out_dir, count, shards=8, manifest=None, progress=True):
    """Write ``count`` pairs drawn from the iterator ``pairs`` into ``out_dir/pairs-XXXXX-of-YYYYY.tfrecord``.

    Shards are written to a temporary name and renamed when complete, so a killed run leaves only whole shards;
    shards that already exist are kept and skipped (the run resumes).
    """
    os.makedirs(out_dir, exist_ok=True)
    per_shard = int(np.ceil(count / shards))
    bar = tqdm(total=count, desc="pairs", unit="pair", disable=not progress)
    for shard in range(shards):
        path = os.path.join(out_dir, f"pairs-{shard:05d}-of-{shards:05d}.tfrecord")
        n = min(per_shard, count - shard * per_shard)
        if os.path.exists(path):
            bar.update(n)
            continue
        with tf.io.TFRecordWriter(path + ".tmp") as writer:
            for _ in range(n):
                writer.write(pair_example(*next(pairs)))
                bar.update(1)
        os.replace(path + ".tmp", path)
    bar.close()
    with open(os.path.join(out_dir, "manifest.json"), "w", encoding="utf-8") as handle:
        json.dump({"kind": "pairs", "count": count, "shards": shards, **(manifest or {})}, handle, indent=2)


def pair_files(path):
    files = sorted(glob.glob(os.path.join(path, "pairs-*.tfrecord")))
    if not files:
        raise TfLuError(f"no pair records (pairs-*.tfrecord) in {path}")
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
        exemplar.set_shape([train_config.exemplar_size, train_config.exemplar_size, 3])
        search.set_shape([train_config.instance_size, train_config.instance_size, 3])
        return (exemplar, search), labels

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


# --- Sequence records (learned updater): length-bucketed, target-centred crop sequences -------------------------
#
# One tf.train.SequenceExample per training sequence: context ``name`` and ``length``; feature lists ``frames``
# (JPEG 255x255 crops centred on the ground-truth target, the SiamFC curation), ``boxes`` (0-based x, y, w, h in
# crop coordinates) and ``absent``.  Files are named ``seq-L{length:03d}-{shard:05d}.tfrecord`` so that every file
# holds one bucket length (a multiple of the unroll length H).

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
        "frames": tf.train.FeatureList(feature=[_bytes(encode_jpeg(c)) for c in crops]),
        "boxes": tf.train.FeatureList(feature=[tf.train.Feature(float_list=tf.train.FloatList(value=b))
                                               for b in clean]),
        "absent": tf.train.FeatureList(feature=[_int(a) for a in absent])})
    context = tf.train.Features(feature={"name": _bytes(name.encode()), "length": _int(len(crops))})
    return tf.train.SequenceExample(context=context, feature_lists=feature_lists).SerializeToString()


def sequence_file_name(length, shard):
    return f"seq-L{length:03d}-{shard:05d}.tfrecord"


def write_sequence_shard(path, items):
    """Write ``(name, crops, boxes)`` items to ``path`` atomically (temporary name, then rename)."""
    with tf.io.TFRecordWriter(path + ".tmp") as writer:
        for name, crops, boxes in items:
            writer.write(sequence_example(name, crops, boxes))
    os.replace(path + ".tmp", path)


def parse_sequence(record):
    """One serialized sequence -> dict(name, length, frames (L, 255, 255, 3) uint8, boxes (L, 4), absent (L,))."""
    context, lists = tf.io.parse_single_sequence_example(record, SEQUENCE_CONTEXT, SEQUENCE_FEATURES)
    frames = tf.map_fn(lambda b: tf.io.decode_jpeg(b, channels=3), lists["frames"], fn_output_signature=tf.uint8)
    return {"name": context["name"], "length": context["length"], "frames": frames,
            "boxes": lists["boxes"], "absent": tf.cast(lists["absent"], tf.bool)}


def sequence_buckets(path):
    """``{length: [files]}`` of the sequence records in ``path``."""
    buckets = {}
    for file in sorted(glob.glob(os.path.join(path, "seq-L*-*.tfrecord"))):
        length = int(os.path.basename(file)[5:8])
        buckets.setdefault(length, []).append(file)
    if not buckets:
        raise TfLuError(f"no sequence records (seq-L*-*.tfrecord) in {path}")
    return buckets
