"""Crop walks: trackable sequences made from target-centred crops, and sequence folds for out-of-fold validation.

``train_crops/`` holds 54 real sequences as 255x255 crops centred on the target (docs: ``../shared/data/train_crops``).
Their appearance changes are real (pose, deformation, light, occlusion, clutter near the target), which is what model
update is about, but a tracker cannot run on them as they are: every crop is re-centred on the target.  A crop walk
puts each crop onto a larger canvas, filled with that crop's mean colour (as SiamFC pads), at a position and scale
that follow a smooth random walk; the box follows the crop.  The tracker then has to follow the target through the
real appearance changes with synthetic motion.  Only the motion is made up.

:func:`fold_split` divides sequence names into folds, keeping segments of one video (``uav123_10fps_group1_1``,
``..._group1_3``) in the same fold, so an updater meta-trained without a fold can be measured on that fold's crop
walks out of sample.
"""
import dataclasses
import json
import os
import re
import zlib

import cv2
import numpy as np
from tqdm import tqdm

from tf_lu.data.sequences import Sequence, read_otb_dataset, write_otb_folder
from tf_lu.errors import TfLuError, check


@dataclasses.dataclass(frozen=True)
class CropWalkConfig:
    """Knobs of :func:`crop_walk`."""
    canvas: int = 480            # side of the square frame in pixels (a 255-pixel crop is about half of it)
    max_frames: int = 150        # the first ``max_frames`` crops of a sequence are used (meta-training's length)
    speed: float = 3.0           # typical speed of the crop's centre, pixels per frame
    persistence: float = 0.9     # velocity carried over from the previous frame (0: jitter, 1: straight lines)
    scale_range: tuple = (0.8, 1.25)   # the crop is drawn at 255 x s pixels, s walking smoothly within this range
    scale_step: float = 0.01     # typical change of log s per frame


def sequence_rng(name, seed):
    """A generator that depends only on the sequence name and the seed (no global state)."""
    return np.random.default_rng([int(seed), zlib.crc32(name.encode("utf-8"))])


def _walk(rng, count, low, high, step, persistence, start):
    """A smooth walk of ``count`` values within [low, high] (velocity with persistence, reflected at the bounds)."""
    values, value, velocity = np.empty(count), float(start), 0.0
    for i in range(count):
        values[i] = value
        velocity = persistence * velocity + np.sqrt(1 - persistence ** 2) * step * rng.standard_normal()
        value += velocity
        if value < low or value > high:
            value = float(np.clip(2 * (low if value < low else high) - value, low, high))
            velocity = -velocity
    return values


def walk_path(count, crop_side, rng, config=CropWalkConfig()):
    """Per frame: the crop's scale s and the canvas position (x, y) of its centre, the crop fully inside the canvas."""
    low, high = config.scale_range
    check(0 < low <= 1 <= high, f"scale_range must hold 1 and be positive, got {config.scale_range}")
    check(config.canvas >= crop_side * high, f"canvas {config.canvas} is smaller than the largest crop "
          f"({crop_side} x {high})")
    log_scale = _walk(rng, count, np.log(low), np.log(high), config.scale_step, config.persistence, 0.0)
    scale = np.exp(log_scale)
    margin = crop_side * high / 2.0
    centre = [_walk(rng, count, margin, config.canvas - margin, config.speed, config.persistence,
                    rng.uniform(margin, config.canvas - margin)) for _ in range(2)]
    return scale, np.stack(centre, axis=1)


def place_crop(crop, scale, centre, canvas):
    """``crop`` (S, S, 3) drawn at ``scale`` with its centre at ``centre`` (x, y) on a ``canvas`` x ``canvas`` frame
    filled with the crop's mean colour; sub-pixel accurate."""
    side = crop.shape[1]
    offset = np.asarray(centre, np.float64) - scale * (side - 1) / 2.0   # where pixel (0, 0) of the crop lands
    matrix = np.float32([[scale, 0, offset[0]], [0, scale, offset[1]]])
    fill = tuple(float(v) for v in crop.reshape(-1, crop.shape[-1]).mean(axis=0))
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    return cv2.warpAffine(crop, matrix, (canvas, canvas), flags=flags, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=fill)


def placed_box(box, scale, centre, crop_side):
    """A 0-based ``(x, y, w, h)`` box in crop pixels mapped onto the canvas (NaN stays NaN)."""
    offset = np.asarray(centre, np.float64) - scale * (crop_side - 1) / 2.0
    x, y, w, h = np.asarray(box, np.float64)
    # pixel i covers [i - 0.5, i + 0.5] and lands at scale * i + offset, so edges map as e -> scale * e + offset
    return np.array([offset[0] + scale * (x - 0.5) + 0.5, offset[1] + scale * (y - 0.5) + 0.5, scale * w, scale * h])


def crop_walk(crops, seed=0, config=CropWalkConfig()):
    """The crop walk of one crop sequence (a :class:`~tf_lu.data.sequences.Sequence` of square crops): a new
    in-memory Sequence with the same name, at most ``config.max_frames`` frames."""
    count = min(len(crops), int(config.max_frames))
    check(count >= 1, f"{crops.name}: no frames")
    first = crops.frame(0)
    side = first.shape[1]
    check(first.shape[0] == side, f"{crops.name}: crops must be square, got {first.shape[1]}x{first.shape[0]}")
    scale, centres = walk_path(count, side, sequence_rng(crops.name, seed), config)
    frames, boxes = [], np.empty((count, 4))
    for i in range(count):
        crop = first if i == 0 else crops.frame(i)
        check(crop.shape[:2] == (side, side), f"{crops.name}: frame {i + 1} is {crop.shape[1]}x{crop.shape[0]}, "
              f"expected {side}x{side}")
        frames.append(place_crop(crop, scale[i], centres[i], config.canvas))
        boxes[i] = placed_box(crops.boxes[i], scale[i], centres[i], side)
    return Sequence(name=crops.name, frames=frames, boxes=boxes, absent=np.asarray(crops.absent[:count]))


def video_group(name):
    """Segments of one video share a group: ``uav123_10fps_group1_3`` -> ``uav123_10fps_group1``."""
    return re.sub(r"(\d)_\d+$", r"\1", name)


def fold_split(lengths, folds=2):
    """Split ``{name: frames}`` into ``folds`` lists of names with about equal frames; a video's segments stay
    together.  Deterministic: groups go, longest first (ties by name), to the fold with the fewest frames so far."""
    check(int(folds) >= 2, f"folds must be at least 2, got {folds}")
    groups = {}
    for name, frames in lengths.items():
        groups.setdefault(video_group(name), []).append(name)
    check(int(folds) <= len(groups), f"{folds} folds but only {len(groups)} video(s) to split (segments of one video "
          f"stay together): a fold would be empty; give at most --folds {len(groups)}")
    totals = {group: sum(lengths[n] for n in names) for group, names in groups.items()}
    split, sizes = [[] for _ in range(folds)], [0] * folds
    for group in sorted(groups, key=lambda g: (-totals[g], g)):
        target = int(np.argmin(sizes))
        split[target].extend(groups[group])
        sizes[target] += totals[group]
    return [sorted(names) for names in split]


def write_crop_walks(crops_root, out, folds=0, max_frames=150, seed=0, progress=True, names=None):
    """Write the crop walk of every OTB-layout sequence under ``crops_root`` (or only those in ``names``) to ``out``
    (``out/fold<k>/<name>`` and ``out/folds.json`` when ``folds`` >= 2).  Returns the list of name lists, one per
    fold (one list without folds)."""
    check(int(max_frames) >= 1, f"max_frames must be at least 1, got {max_frames}")
    sequences = read_otb_dataset(crops_root)
    if names:
        unknown = sorted(set(names) - {s.name for s in sequences})
        check(not unknown, f"no sequence named {', '.join(unknown)} in {crops_root}")
        sequences = [s for s in sequences if s.name in set(names)]
    lengths = {s.name: min(len(s), int(max_frames)) for s in sequences}
    split = fold_split(lengths, folds) if folds else [sorted(lengths)]
    where = {name: (os.path.join(out, f"fold{k}") if folds else out) for k, names in enumerate(split) for name in names}
    config = CropWalkConfig(max_frames=int(max_frames))
    for sequence in tqdm(sequences, desc="crop walks", unit="seq", disable=not progress):
        write_otb_folder(crop_walk(sequence, seed, config), os.path.join(where[sequence.name], sequence.name))
    if folds:
        try:
            with open(os.path.join(out, "folds.json"), "w", encoding="utf-8") as handle:
                json.dump({"seed": seed, "max_frames": int(max_frames), "folds": split}, handle, indent=1)
        except OSError as exc:
            raise TfLuError(f"cannot write {out}/folds.json: {exc}") from None
    return split
