"""Cache search features of sequence records under the frozen feature extractor.

Meta-training looks at every frame many times but never changes the extractor, so each bucket file
``seq-L{L}-{k}.tfrecord`` (JPEG crops) becomes ``feat-L{L}-{k}-{folder}.tfrecord`` holding the (S, S, C) float16 search
features of every frame (255 crop -> 22x22xC for SiamFC, 53x53x32 for CFNet-conv3) and the absent flags (the format
and its readers: :mod:`tf_lu.data.records.features`).  Cached shards are kept and skipped on a rerun.
``feature_meta.json`` records the feature shape and the extractor used.

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
import os
import zlib

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.data.records.common import feature_file_name, read_json, record_writer
from tf_lu.data.records.features import FEATURE_META, feature_example, write_feature_meta
from tf_lu.data.records.sequences import parse_sequence, sequence_buckets
from tf_lu.data.shard_check import shard_entry, verify_shards
from tf_lu.errors import TfLuError


@dataclasses.dataclass(frozen=True)
class SearchJitter:
    """Random search-region shift (normal, ``sigma`` pixels of the 255 crop, clipped to +-``limit``) and scale
    (log-uniform within ``1 +- scale``) applied to every frame but the first of each sequence."""
    sigma: float = 0.0
    limit: float = 24.0
    scale: float = 0.0
    seed: int = 0

    def __post_init__(self):
        if not (self.sigma >= 0 and self.limit >= 0 and 0 <= self.scale < 1):
            raise TfLuError(f"search jitter sigma and limit must be >= 0 and scale from 0 to below 1, got {self.sigma}, "
                            f"{self.limit}, {self.scale}")

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


def _shard_features(file, writer, extract, batch, jitter, rng, mirror, crop_size=None):
    """Features of every sequence in the sequence-record ``file`` into ``writer``; returns the feature shape."""
    shape = None
    for record in tf.data.TFRecordDataset(file):
        sequence = parse_sequence(record)
        frames, boxes, offsets = tf.cast(sequence["frames"], tf.float32), sequence["boxes"].numpy(), None
        if crop_size and int(frames.shape[1]) != crop_size:
            raise TfLuError(f"{file}: the sequence records hold {int(frames.shape[1])}-pixel search crops, the "
                            f"config's track.instance_size is {crop_size}: their features would not be the tracker's")
        if mirror:
            frames, boxes = mirror_frames(frames, boxes)
        if jitter.active:
            frames, offsets = jitter_frames(frames, boxes, jitter, rng)
        features = np.concatenate([extract(frames[i:i + batch]).numpy()
                                   for i in range(0, int(frames.shape[0]), batch)])
        shape = features.shape[1:]
        writer.write(feature_example(sequence["name"].numpy(), features, sequence["absent"].numpy(), offsets))
    return shape


def cache_features(sequence_dirs, out_dir, backbone, batch=32, progress=True, source="", jitter=SearchJitter(),
                   mirror=False, crop_size=None):
    """Run ``backbone`` over every frame of the sequence records in ``sequence_dirs`` (a folder, or a list of them
    whose shards are all checked before any work); write feature records into ``out_dir``.

    With an active ``jitter`` every frame after the first is re-cropped like a tracker's search region (see
    :func:`jitter_frames`); the draws are deterministic for ``jitter.seed`` and the shard.  With ``mirror`` the frames
    are flipped left-right first (:func:`mirror_frames`) and the shards are named ``...-{folder}-mirror.tfrecord``, so
    they can share a folder with the unflipped ones.  ``feature_meta.json`` lists every shard's record count and size
    (``shard_files``), which meta-training checks (:mod:`tf_lu.data.shard_check`).  ``crop_size`` (the tracker's
    ``track.instance_size``): records of search crops of another size are a :class:`TfLuError`.  ``backbone`` is any
    base tracker's extractor (SiamFC: stride 8; CFNet: stride 4, 255 -> 53x53x32 for conv3)."""
    extract = tf.function(lambda x: backbone(x, training=False), reduce_retracing=True)
    folders = [sequence_dirs] if isinstance(sequence_dirs, (str, os.PathLike)) else list(sequence_dirs)
    work = [(os.path.basename(os.path.normpath(folder)), file) for folder in folders
            for files in sequence_buckets(folder).values() for file in files]
    # a corrupt sequence shard is an error naming it, before any work
    verify_shards([file for _, file in work], remedy="rewrite it (tf-lu curate --stage sequences)")
    os.makedirs(out_dir, exist_ok=True)
    shape, listed = None, {}
    for tag, file in tqdm(work, desc="cache features", unit="shard", disable=not progress):
        target = os.path.join(out_dir, feature_file_name(file, tag, mirror))
        if not os.path.exists(target):
            rng = np.random.default_rng([jitter.seed, zlib.crc32(os.path.basename(target).encode())])
            with record_writer(target) as writer:
                shape = _shard_features(file, writer, extract, batch, jitter, rng, mirror, crop_size) or shape
        listed[os.path.basename(target)] = shard_entry(target)
    meta_path = os.path.join(out_dir, FEATURE_META)
    meta = read_json(meta_path) if os.path.exists(meta_path) else {}
    if shape is not None or not meta:
        meta = {"shape": list(shape) if shape is not None else None, "dtype": "float16", "extractor": source,
                "jitter": dataclasses.asdict(jitter), "mirror": bool(mirror), "shard_files": meta.get("shard_files", {})}
    write_feature_meta(out_dir, {**meta, "shard_files": {**meta.get("shard_files", {}), **listed}})
    return out_dir
