"""Crop tracks from still photos: each boxed object becomes a short track of augmented, target-centred crops of the
same photo, so that the pair stage (:mod:`tf_lu.data.curation.pair_stage`) can pair an object with an augmented copy
of itself, as DaSiamRPN does with detection data (scale, aspect and blur stand in for the change between two video
frames).  Objects of many categories widen what the extractor sees beyond the few objects of the videos.

Each copy is the SiamFC search window around the object (context margin, 255 px) with its side scaled by a factor
of up to ``scale`` either way, its aspect changed by up to ``aspect``, and a Gaussian blur with probability ``blur``.
Crops stay centred on the object, as the pair records' centred labels need; the shift between exemplar and search is
the training's own (``train.shift``, applied when the pairs are read).
"""
import dataclasses

import cv2
import numpy as np
from tqdm import tqdm

from tf_lu.data.datasets.coco import read_coco_objects
from tf_lu.data.images import load_image
from tf_lu.data.pairs.object_classes import object_class
from tf_lu.data.pairs.crop_tracks import CROP_SIZE, CropTrack
from tf_lu.geometry.crops import search_side


@dataclasses.dataclass(frozen=True)
class StillAugment:
    copies: int = 4           # crops per object (a pair takes two of them)
    scale: float = 0.15       # window side x exp(U(-log(1 + scale), log(1 + scale)))
    aspect: float = 0.1       # window aspect x exp(U(-log(1 + aspect), log(1 + aspect)))
    blur: float = 0.3         # chance of a Gaussian blur (sigma 0.5-2 px)


def _log_uniform(rng, spread):
    return float(np.exp(rng.uniform(-np.log1p(spread), np.log1p(spread))))


def warp_window(photo, centre, sides, out_size=CROP_SIZE):
    """The window of ``sides = (sx, sy)`` centred on ``centre`` resampled to ``out_size`` square (mean padded), with
    the geometry of :func:`tf_lu.geometry.crops.crop_numpy`: the window's centre lands on the output's centre pixel."""
    fill = cv2.mean(photo)[:3]
    mid = (out_size - 1) / 2.0
    fx, fy = ((s - 1.0) / (out_size - 1.0) for s in sides)
    shrink = int(np.floor(min(fx, fy)))
    cx, cy = centre
    if shrink > 1:                               # area-average first: no aliasing on large objects
        photo = cv2.resize(photo, (max(1, photo.shape[1] // shrink), max(1, photo.shape[0] // shrink)),
                           interpolation=cv2.INTER_AREA)
        fx, fy = fx / shrink, fy / shrink
        cx, cy = (cx + 0.5) / shrink - 0.5, (cy + 0.5) / shrink - 0.5
    matrix = np.array([[fx, 0.0, cx - mid * fx], [0.0, fy, cy - mid * fy]])
    return cv2.warpAffine(photo, matrix, (out_size, out_size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def augmented_copy(photo, box, rng, augment, context=0.5):
    """``(crop, box in crop coordinates)``: one augmented, object-centred 255 px crop (see the module docstring)."""
    x, y, w, h = box
    side = search_side(w, h, context) / _log_uniform(rng, augment.scale)
    stretch = _log_uniform(rng, augment.aspect)
    sides = (side / stretch, side * stretch)
    crop = warp_window(photo, (x + (w - 1) / 2.0, y + (h - 1) / 2.0), sides)
    if rng.random() < augment.blur:
        crop = cv2.GaussianBlur(crop, (0, 0), rng.uniform(0.5, 2.0))
    cw, ch = w * (CROP_SIZE - 1.0) / (sides[0] - 1.0), h * (CROP_SIZE - 1.0) / (sides[1] - 1.0)
    mid = (CROP_SIZE - 1) / 2.0
    return crop, [mid - (cw - 1) / 2.0, mid - (ch - 1) / 2.0, cw, ch]


def still_crop_tracks(source, rng, augment=StillAugment(), min_size=24.0, progress=True):
    """A crop track per object of the COCO folder or file ``source`` with a shorter side of at least ``min_size`` px,
    of ``augment.copies`` augmented crops (``source = "still"``, class from the category name)."""
    objects = read_coco_objects(source, min_size)
    tracks, photo, photo_path = [], None, None
    for obj in tqdm(objects, desc=f"stills {source}", disable=not progress):
        if obj.image != photo_path:
            photo, photo_path = load_image(obj.image), obj.image
        crops, boxes = zip(*(augmented_copy(photo, obj.box, rng, augment) for _ in range(augment.copies)))
        tracks.append(CropTrack(obj.name, list(crops), np.array(boxes, dtype=np.float64),
                                label=object_class(obj.category), source="still"))
    return tracks
