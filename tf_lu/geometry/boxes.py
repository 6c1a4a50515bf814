"""Box conventions and helpers.

In memory every box is ``(x, y, w, h)`` in **0-based pixel-index coordinates**: ``x`` is the column index of the
left-most pixel of the box, so its centre is ``x + (w - 1) / 2`` (the OTB convention shifted by one).  Files in the
OTB format are 1-based; :func:`from_otb` / :func:`to_otb` convert.  Absent targets are rows of NaN.
"""
import numpy as np

from tf_lu.errors import TfLuError


def from_otb(boxes):
    """1-based OTB ``x,y,w,h`` rows -> 0-based rows (NaN rows stay NaN)."""
    boxes = np.asarray(boxes, dtype=np.float64).copy()
    boxes[..., :2] -= 1.0
    return boxes


def to_otb(boxes):
    """0-based rows -> 1-based OTB rows."""
    boxes = np.asarray(boxes, dtype=np.float64).copy()
    boxes[..., :2] += 1.0
    return boxes


def to_center(box):
    """``(x, y, w, h)`` -> ``(cx, cy, w, h)`` with the centre in pixel-index coordinates."""
    x, y, w, h = np.asarray(box, dtype=np.float64)
    return np.array([x + (w - 1) / 2.0, y + (h - 1) / 2.0, w, h])


def from_center(center_box):
    """``(cx, cy, w, h)`` -> ``(x, y, w, h)``."""
    cx, cy, w, h = np.asarray(center_box, dtype=np.float64)
    return np.array([cx - (w - 1) / 2.0, cy - (h - 1) / 2.0, w, h])


def is_valid(box):
    """True when a box has finite values and positive size (absent or degenerate boxes are not)."""
    box = np.asarray(box, dtype=np.float64)
    return bool(np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0)


MAX_BOX_FACTOR = 10.0   # a first box may be at most this many times the image's width / height


def validate_initial_box(box, image_shape, source="the first box"):
    """Raise :class:`TfLuError` unless ``box`` is a usable first box for an image of ``image_shape``: 4 finite
    numbers, at least one pixel wide and high, at most :data:`MAX_BOX_FACTOR` times the image's size (so every
    crop computed from it is finite in float32), and overlapping the image.  ``source`` names the box in the message
    (a file and line, or the option)."""
    box = np.asarray(box, dtype=np.float64).reshape(-1)
    if box.shape != (4,) or not np.all(np.isfinite(box)):
        raise TfLuError(f"{source} must be 4 finite numbers x,y,w,h, got {box.tolist()}")
    x, y, w, h = box
    if w < 1 or h < 1:
        raise TfLuError(f"{source} has zero size: less than one pixel wide or high (w={w:g}, h={h:g})")
    height, width = image_shape[:2]
    if w > MAX_BOX_FACTOR * width or h > MAX_BOX_FACTOR * height:
        raise TfLuError(f"{source} ({w:g}x{h:g}) is more than {MAX_BOX_FACTOR:g} times the {width}x{height} image")
    if x + w <= 0 or y + h <= 0 or x >= width or y >= height:
        raise TfLuError(f"{source} {box.tolist()} lies outside the {width}x{height} image")
    return box


def clip_to_image(box, image_shape):
    """``(x, y, w, h)`` cut to its part inside an image of ``image_shape`` (pixel columns ``0 .. width - 1``, rows
    ``0 .. height - 1``); a box inside the image comes back unchanged."""
    x, y, w, h = np.asarray(box, dtype=np.float64).reshape(4)
    height, width = image_shape[:2]
    left, top = max(x, 0.0), max(y, 0.0)
    right, bottom = min(x + w, float(width)), min(y + h, float(height))
    return np.array([left, top, right - left, bottom - top])


def clip_center_box(center_box, image_shape, min_size=4.0, max_fraction=1.0):
    """Keep a tracker's ``(cx, cy, w, h)`` sensible: centre inside the image, size between ``min_size`` pixels and
    ``max_fraction`` of the image side.  Non-finite values fall back to ``None`` so the caller keeps its last box."""
    center_box = np.asarray(center_box, dtype=np.float64)
    if not np.all(np.isfinite(center_box)):
        return None
    height, width = image_shape[:2]
    cx = float(np.clip(center_box[0], 0, width - 1))
    cy = float(np.clip(center_box[1], 0, height - 1))
    w = float(np.clip(center_box[2], min_size, max(min_size, max_fraction * width)))
    h = float(np.clip(center_box[3], min_size, max(min_size, max_fraction * height)))
    return np.array([cx, cy, w, h])


def iou(boxes_a, boxes_b):
    """Row-wise intersection over union of two ``(N, 4)`` arrays of ``(x, y, w, h)`` boxes (NaN -> NaN), at most 1
    (two equal boxes can round to 1 + 1e-16, which would pass the success threshold 1)."""
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    left = np.maximum(a[:, 0], b[:, 0])
    top = np.maximum(a[:, 1], b[:, 1])
    right = np.minimum(a[:, 0] + a[:, 2], b[:, 0] + b[:, 2])
    bottom = np.minimum(a[:, 1] + a[:, 3], b[:, 1] + b[:, 3])
    inter = np.clip(right - left, 0, None) * np.clip(bottom - top, 0, None)
    union = a[:, 2] * a[:, 3] + b[:, 2] * b[:, 3] - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, np.minimum(inter / union, 1.0), 0.0) * np.where(np.isnan(union), np.nan, 1.0)


def center_error(boxes_a, boxes_b):
    """Row-wise distance between box centres, in pixels."""
    a = np.asarray(boxes_a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(boxes_b, dtype=np.float64).reshape(-1, 4)
    ca = a[:, :2] + (a[:, 2:] - 1) / 2.0
    cb = b[:, :2] + (b[:, 2:] - 1) / 2.0
    return np.sqrt(np.sum((ca - cb) ** 2, axis=1))
