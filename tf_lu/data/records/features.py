"""Feature records (learned updater, meta-training): the frozen extractor's search features of sequence records.

Each sequence-record file ``seq-L{L}-{k}.tfrecord`` gets a feature-record file ``feat-L{L}-{k}-{folder}.tfrecord``
(:func:`~tf_lu.data.records.common.feature_file_name`): one ``tf.train.SequenceExample`` per sequence with context
``name`` and ``length`` and feature lists ``features`` (the (S, S, C) float16 features of each frame, raw bytes),
``absent`` and ``offset`` (the target's (row, col) offset from the search-crop centre, in crop pixels).
``feature_meta.json`` beside them records the feature shape and the extractor used.  They are written by
:func:`tf_lu.training.feature_cache.cache_features` and read by :func:`chunk_dataset` /
:func:`held_out_chunk_dataset` as length-homogeneous batches cut into unroll-length chunks.
"""
import os

import numpy as np
import tensorflow as tf

from tf_lu.data.records.common import (bytes_feature, files_by_length, float_feature, int_feature, read_json,
                                       write_json)
from tf_lu.errors import TfLuError

FEATURE_CONTEXT = {"name": tf.io.FixedLenFeature([], tf.string), "length": tf.io.FixedLenFeature([], tf.int64)}
FEATURE_LISTS = {"features": tf.io.FixedLenSequenceFeature([], tf.string),
                 "absent": tf.io.FixedLenSequenceFeature([], tf.int64),
                 "offset": tf.io.FixedLenSequenceFeature([2], tf.float32, allow_missing=True)}
FEATURE_META = "feature_meta.json"


def feature_example(name, features, absent, offsets=None):
    """One serialized sequence of features: ``name`` (bytes), features (L, S, S, C), absent (L,), offsets (L, 2)."""
    features = np.asarray(features, dtype=np.float16)
    offsets = np.zeros((len(features), 2), np.float32) if offsets is None else np.asarray(offsets, np.float32)
    lists = tf.train.FeatureLists(feature_list={
        "offset": tf.train.FeatureList(feature=[float_feature(o) for o in offsets]),
        "features": tf.train.FeatureList(feature=[bytes_feature(f.tobytes()) for f in features]),
        "absent": tf.train.FeatureList(feature=[int_feature(a) for a in absent])})
    context = tf.train.Features(feature={"name": bytes_feature(name), "length": int_feature(len(features))})
    return tf.train.SequenceExample(context=context, feature_lists=lists).SerializeToString()


def write_feature_meta(out_dir, meta):
    write_json(os.path.join(out_dir, FEATURE_META), meta)


def feature_buckets(path):
    """``{length: [files]}`` of the feature records in ``path``."""
    return files_by_length(path, "feat", "feature records", "; run `tf-lu cache-features` first")


def feature_shape(path):
    """``(S, S, C)`` of the cached features in ``path``, from its ``feature_meta.json``; a missing or unreadable one is a
    :class:`TfLuError`."""
    meta = os.path.join(path, FEATURE_META)
    try:
        return tuple(read_json(meta)["shape"])
    except FileNotFoundError:
        raise TfLuError(f"{path}: no {FEATURE_META} (not a folder of cached features; run `tf-lu cache-features`)") \
            from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TfLuError(f"unreadable {meta} ({exc.__class__.__name__})") from None


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
        offsets = tf.reshape(lists["offset"], [-1, 2])   # empty in records without offsets
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
