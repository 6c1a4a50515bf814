"""Cache search features of sequence records under the frozen feature extractor.

Meta-training looks at every frame many times but never changes the extractor, so each bucket file
``seq-L{L}-{k}.tfrecord`` (JPEG crops) becomes ``feat-L{L}-{k}-{folder}.tfrecord`` holding the (S, S, C) float16 search
features of every frame (255 crop -> 22x22xC for SiamFC) and the absent flags.  Cached shards are kept and skipped
on a rerun.  ``feature_meta.json`` records the feature shape and the extractor used.

Tracking-like search regions (``jitter``): during tracking the search region is centred on the previous estimate, so
the target sits off-centre by its motion plus the tracker's error, and the scale is slightly off.  Sequence records
are crops centred on the ground truth; with :class:`SearchJitter` every frame after the first is re-cropped around a
randomly shifted centre at a randomly perturbed scale, and the target's offset from the crop centre (in search-crop
pixels, (row, col)) is stored per frame, so the meta-trainer centres each frame's labels on the target and takes
its candidates off-grid, as the tracker does.

Mirrored copies (``mirror``, an extension beyond the paper): every frame of a sequence is flipped left-right before
the extractor sees it (and before any jitter), which doubles the meta-training sequences; a mirrored video is another
tracking task.  The records keep their sequence names, so ``meta.hold_out`` leaves out a sequence's mirrored copy too.
"""
import dataclasses
import json
import os
import zlib

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.errors import TfLuError
from tf_lu.data.records import parse_sequence, sequence_buckets

FEATURE_CONTEXT = {"name": tf.io.FixedLenFeature([], tf.string), "length": tf.io.FixedLenFeature([], tf.int64)}
FEATURE_LISTS = {"features": tf.io.FixedLenSequenceFeature([], tf.string),
                 "absent": tf.io.FixedLenSequenceFeature([], tf.int64),
                 "offset": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)}


@dataclasses.dataclass(frozen=True)
class SearchJitter:
    """Random search-region shift (normal, ``sigma`` pixels of the 255 crop, clipped to +-``limit``) and scale
    (log-uniform within ``1 +- scale``) applied to every frame but the first of each sequence."""
    sigma: float = 0.0
    limit: float = 24.0
    scale: float = 0.0
    seed: int = 0

    def __post_init__(self):
        if self.sigma < 0 or self.limit < 0 or self.scale < 0:
            raise TfLuError(f"search jitter sigma, limit and scale must be >= 0, got {self.sigma}, {self.limit}, "
                            f"{self.scale}")

    @property
    def active(self):
        return self.sigma > 0 or self.scale > 0


def jitter_frames(frames, boxes, jitter, rng):
    """Re-crop ``frames`` (L, S, S, 3) around shifted centres; returns (crops float32, target offsets (L, 2) (row, col)).

    A frame is cropped with side ``S * s`` centred on ``c + d`` and resized to ``S``, so a target at ``p`` (crop
    coordinates) lands at ``c + (p - c - d) / s``.  The first frame is kept (it gives the initial template).
    """
    frames = tf.cast(frames, tf.float32)
    length, size = int(frames.shape[0]), int(frames.shape[1])
    centre = (size - 1) / 2.0
    shift = np.clip(rng.normal(0.0, jitter.sigma, (length, 2)), -jitter.limit, jitter.limit) if jitter.sigma else \
        np.zeros((length, 2))
    bound = np.log1p(jitter.scale)
    scale = np.exp(rng.uniform(-bound, bound, length)) if jitter.scale else np.ones(length)
    shift[0], scale[0] = 0.0, 1.0
    half = (size * scale - 1.0) / 2.0
    cy, cx = centre + shift[:, 0], centre + shift[:, 1]
    crop_boxes = np.stack([cy - half, cx - half, cy + half, cx + half], axis=1) / (size - 1.0)
    mean = tf.reduce_mean(frames, axis=[1, 2], keepdims=True)
    crops = tf.image.crop_and_resize(frames - mean, crop_boxes.astype(np.float32), tf.range(length), [size, size],
                                     extrapolation_value=0.0) + mean
    boxes = np.nan_to_num(np.asarray(boxes, np.float64))
    target = np.stack([boxes[:, 1] + (boxes[:, 3] - 1) / 2.0, boxes[:, 0] + (boxes[:, 2] - 1) / 2.0], axis=1)
    target = np.where(np.all(boxes[:, 2:] > 0, axis=1)[:, None], target, centre)
    offsets = (target - centre - shift) / scale[:, None]
    return crops, offsets.astype(np.float32)


def mirror_frames(frames, boxes):
    """Flip ``frames`` (L, S, S, 3) left-right; returns (frames, boxes) with the 0-based (x, y, w, h) boxes mirrored
    (x -> S - x - w, so a column j maps to S - 1 - j).  Absent targets' boxes are passed through."""
    frames = tf.reverse(frames, axis=[2])
    boxes = np.array(boxes, dtype=np.float64, copy=True)
    size = int(frames.shape[2])
    shown = np.all(np.isfinite(boxes), axis=1) & np.all(boxes[:, 2:] > 0, axis=1)
    boxes[shown, 0] = size - boxes[shown, 0] - boxes[shown, 2]
    return frames, boxes


def feature_example(name, features, absent, offsets=None):
    features = np.asarray(features, dtype=np.float16)
    offsets = np.zeros((len(features), 2), np.float32) if offsets is None else np.asarray(offsets, np.float32)
    lists = tf.train.FeatureLists(feature_list={
        "offset": tf.train.FeatureList(feature=[tf.train.Feature(float_list=tf.train.FloatList(value=o))
                                                for o in offsets]),
        "features": tf.train.FeatureList(feature=[tf.train.Feature(bytes_list=tf.train.BytesList(value=[f.tobytes()]))
                                                  for f in features]),
        "absent": tf.train.FeatureList(feature=[tf.train.Feature(int64_list=tf.train.Int64List(value=[int(a)]))
                                                for a in absent])})
    context = tf.train.Features(feature={
        "name": tf.train.Feature(bytes_list=tf.train.BytesList(value=[name])),
        "length": tf.train.Feature(int64_list=tf.train.Int64List(value=[len(features)]))})
    return tf.train.SequenceExample(context=context, feature_lists=lists).SerializeToString()


def cache_features(sequence_dir, out_dir, backbone, batch=32, progress=True, source="", jitter=SearchJitter(),
                   mirror=False):
    """Run ``backbone`` over every frame of the sequence records in ``sequence_dir``; write feature records.

    With an active ``jitter`` every frame after the first is re-cropped like a tracker's search region (see
    :func:`jitter_frames`); the draws are deterministic for ``jitter.seed`` and the shard.  With ``mirror`` the frames
    are flipped left-right first (:func:`mirror_frames`) and the shards are named ``...-{folder}-mirror.tfrecord``, so
    they can share a folder with the unflipped ones."""
    os.makedirs(out_dir, exist_ok=True)
    extract = tf.function(lambda x: backbone(x, training=False), reduce_retracing=True)
    files = [f for fs in sequence_buckets(sequence_dir).values() for f in fs]
    shape = None
    for file in tqdm(files, desc="cache features", unit="shard", disable=not progress):
        # feat-L{L}-{shard}-{source folder}.tfrecord: several sequence folders can share one feature folder
        tag = os.path.basename(os.path.normpath(sequence_dir))
        target = os.path.join(out_dir, os.path.basename(file).replace("seq-", "feat-", 1)
                              .replace(".tfrecord", f"-{tag}{'-mirror' if mirror else ''}.tfrecord"))
        if os.path.exists(target):
            continue
        rng = np.random.default_rng([jitter.seed, zlib.crc32(os.path.basename(target).encode())])
        with tf.io.TFRecordWriter(target + ".tmp") as writer:
            for record in tf.data.TFRecordDataset(file):
                sequence = parse_sequence(record)
                frames, boxes, offsets = tf.cast(sequence["frames"], tf.float32), sequence["boxes"].numpy(), None
                if mirror:
                    frames, boxes = mirror_frames(frames, boxes)
                if jitter.active:
                    frames, offsets = jitter_frames(frames, boxes, jitter, rng)
                features = np.concatenate([extract(frames[i:i + batch]).numpy()
                                           for i in range(0, int(frames.shape[0]), batch)])
                shape = features.shape[1:]
                writer.write(feature_example(sequence["name"].numpy(), features, sequence["absent"].numpy(),
                                             offsets))
        os.replace(target + ".tmp", target)
    meta_path = os.path.join(out_dir, "feature_meta.json")
    if shape is not None or not os.path.exists(meta_path):
        with open(meta_path, "w", encoding="utf-8") as handle:
            json.dump({"shape": list(shape) if shape is not None else None, "dtype": "float16",
                       "extractor": source, "jitter": dataclasses.asdict(jitter), "mirror": bool(mirror)}, handle, indent=2)
    return out_dir


def feature_buckets(path):
    """``{length: [files]}`` of the feature records in ``path``."""
    import glob
    buckets = {}
    for file in sorted(glob.glob(os.path.join(path, "feat-L*-*.tfrecord"))):
        buckets.setdefault(int(os.path.basename(file)[6:9]), []).append(file)
    if not buckets:
        raise TfLuError(f"no feature records (feat-L*-*.tfrecord) in {path}; run tools/cache_features.py first")
    return buckets


def feature_shape(path):
    with open(os.path.join(path, "feature_meta.json"), encoding="utf-8") as handle:
        return tuple(json.load(handle)["shape"])


def reverse_in_time(features, absent, offsets, draw, reverse_prob):
    """Play a sequence backwards when ``draw < reverse_prob`` and its last frame shows the target (it becomes the first
    frame, which gives theta_1).  A video played backwards is another tracking task: time-reversal augmentation."""
    flip = tf.logical_and(draw < reverse_prob, tf.logical_not(absent[-1]))
    return tuple(tf.cond(flip, lambda t=t: tf.reverse(t, axis=[0]), lambda t=t: t) for t in (features, absent, offsets))


def sequence_base_name(name):
    """``"otb/vot_car1#2"`` (source prefix, window suffix) -> ``"vot_car1"``; works on str and string tensors."""
    if isinstance(name, str):
        return name.rsplit("/", 1)[-1].split("#", 1)[0]
    return tf.strings.regex_replace(tf.strings.regex_replace(name, r"^.*/", ""), r"#[0-9]+$", "")


def count_held_out(files, hold_out):
    """(records in ``files``, records whose name is in ``hold_out``, the ``hold_out`` names seen)."""
    total, held, seen = 0, 0, set()
    for record in tf.data.TFRecordDataset(files):
        context, _ = tf.io.parse_single_sequence_example(record, FEATURE_CONTEXT, {})
        name = sequence_base_name(context["name"].numpy().decode())
        total += 1
        if name in hold_out:
            held += 1
            seen.add(name)
    return total, held, seen


def _parser(shape, seed=0, reverse_prob=0.0):
    """``(index, record, length) -> (features, absent, offsets)`` of one feature record (see :func:`chunk_dataset`)."""
    def parse(index, record, length):
        _, lists = tf.io.parse_single_sequence_example(record, FEATURE_CONTEXT, FEATURE_LISTS)
        features = tf.reshape(tf.io.decode_raw(lists["features"], tf.float16), [-1, *shape])
        offsets = tf.reshape(lists["offset"], [-1, 2])   # empty in caches written before offsets existed
        offsets = tf.concat([offsets, tf.zeros([tf.shape(features)[0] - tf.shape(offsets)[0], 2])], axis=0)
        absent = tf.cast(lists["absent"], tf.bool)
        if not reverse_prob:
            return features, absent, offsets
        draw = tf.random.stateless_uniform([], seed=tf.stack([tf.cast(seed * 1000 + length, tf.int64), index]))
        return reverse_in_time(features, absent, offsets, draw, reverse_prob)
    return parse


def _chunker(unroll):
    """A batch of whole sequences -> its consecutive ``unroll``-frame chunks, ``reset`` on the first."""
    def chunks(features, absent, offsets):
        starts = tf.range(tf.shape(features)[1] // unroll) * unroll
        return tf.data.Dataset.from_tensor_slices(starts).map(
            lambda s: (tf.cast(features[:, s:s + unroll], tf.float32), absent[:, s:s + unroll],
                       offsets[:, s:s + unroll], tf.equal(s, 0)))
    return chunks


def _name_filter(hold_out, keep_held_out):
    held = tf.constant(sorted(hold_out), tf.string)

    def keep(record):
        context, _ = tf.io.parse_single_sequence_example(record, FEATURE_CONTEXT, {})
        is_held = tf.reduce_any(tf.equal(sequence_base_name(context["name"]), held))
        return is_held if keep_held_out else tf.logical_not(is_held)
    return keep


def _check_names_seen(path, hold_out, seen):
    missing = sorted(set(hold_out) - seen)
    if missing:
        raise TfLuError(f"meta.hold_out names not found in the features of {path}: {', '.join(missing)}")


def chunk_dataset(path, batch_size, unroll, seed=0, repeat=True, reverse_prob=0.0, hold_out=()):
    """Length-homogeneous batches of ``batch_size`` sequences cut into consecutive chunks of ``unroll`` frames.

    Yields ``(features (B, H, S, S, C) float32, absent (B, H) bool, offsets (B, H, 2) float32, reset () bool)``:
    ``offsets`` is the target's (row, col) offset from the search-crop centre in crop pixels (zero in features cached
    without jitter), ``reset`` is True on the first
    chunk of a new batch of sequences, when the trainer must reset its carried state.  Buckets are sampled in
    proportion to the frames they hold, one whole batch at a time (so a batch's chunks stay consecutive); within a
    batch all sequences have the same length, a multiple of ``unroll``.  Returns ``(dataset, (S, C))``.

    With ``reverse_prob`` > 0 each sequence is played backwards with that probability (:func:`reverse_in_time`;
    deterministic for ``seed``).  Sequences whose name (without source prefix and window suffix) is in ``hold_out``
    are left out, e.g. a validation set's; every such name must occur.
    """
    if not 0.0 <= reverse_prob <= 1.0:
        raise TfLuError(f"meta.reverse_prob must be within [0, 1], got {reverse_prob}")
    shape = feature_shape(path)
    parse = _parser(shape, seed, reverse_prob)
    datasets, weights, seen = [], [], set()
    for length, files in sorted(feature_buckets(path).items()):
        if length % unroll:
            continue
        share = 1.0
        ds = tf.data.TFRecordDataset(files)
        if hold_out:
            total, held_count, names = count_held_out(files, set(hold_out))
            seen |= names
            if held_count == total:
                continue
            share = 1.0 - held_count / total
            ds = ds.filter(_name_filter(hold_out, keep_held_out=False))
        ds = ds.shuffle(16, seed=seed)   # a 150-frame record is ~19 MB
        ds = (ds.repeat() if repeat else ds).enumerate().map(lambda i, r, n=length: parse(i, r, n))
        datasets.append(ds.batch(batch_size, drop_remainder=True))
        weights.append(float(len(files)) * length * share)
    _check_names_seen(path, hold_out, seen)
    if not datasets:
        raise TfLuError(f"no feature buckets in {path} have a length that is a multiple of H={unroll}")
    mixed = datasets[0] if len(datasets) == 1 else tf.data.Dataset.sample_from_datasets(
        datasets, weights=(np.asarray(weights) / np.sum(weights)).tolist(), seed=seed)
    return mixed.flat_map(_chunker(unroll)).prefetch(2), (shape[0], shape[2])


def held_out_chunk_dataset(path, batch_size, unroll, hold_out):
    """The chunks of only the ``hold_out`` sequences (and their mirrored copies), each once, for validation.

    Same element structure as :func:`chunk_dataset`.  A bucket's last batch is filled up with copies of its first
    sequence whose frames are all flagged absent, so they add nothing to the loss and every held-out sequence is
    scored exactly once whatever the batch size.  The dataset repeats: one pass is ``chunks`` elements (give that as
    the number of steps; a pass that ran out of data inside a compiled Keras step breaks the next training step).
    Returns ``(dataset, number of held-out sequences, chunks)``."""
    if not hold_out:
        raise TfLuError("held-out validation needs meta.hold_out (the names of the sequences to validate on)")
    shape = feature_shape(path)
    parse = _parser(shape)
    datasets, seen, count, chunks = [], set(), 0, 0
    for length, files in sorted(feature_buckets(path).items()):
        _, held_count, names = count_held_out(files, set(hold_out))
        seen |= names
        if length % unroll or not held_count:
            continue
        count += held_count
        ds = tf.data.TFRecordDataset(files).filter(_name_filter(hold_out, keep_held_out=True))
        ds = ds.enumerate().map(lambda i, r, n=length: parse(i, r, n))
        pad = (-held_count) % batch_size
        chunks += (held_count + pad) // batch_size * (length // unroll)
        if pad:
            blank = ds.take(1).map(lambda f, a, o: (f, tf.ones_like(a), o)).repeat(pad)
            ds = ds.concatenate(blank)
        datasets.append(ds.batch(batch_size, drop_remainder=True).flat_map(_chunker(unroll)))
    _check_names_seen(path, hold_out, seen)
    if not datasets:
        raise TfLuError(f"the held-out sequences in {path} have no length that is a multiple of H={unroll}")
    merged = datasets[0]
    for ds in datasets[1:]:
        merged = merged.concatenate(ds)
    return merged.repeat().prefetch(2), count, chunks
