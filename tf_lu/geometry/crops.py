"""Crop geometry: SiamFC's context-margin windows, mean padding, the scale pyramid.

A crop of side ``s`` centred on ``(cx, cy)`` (pixel-index coordinates) spans ``c - (s - 1) / 2 .. c + (s - 1) / 2``
and is resampled to ``out`` pixels, so the centre of the window lands exactly on the centre pixel of the output.
Outside the image the crop takes the per-channel image mean.  :func:`crop_tf` (tracking, exportable) and
:func:`crop_numpy` (data curation) follow the same geometry.
"""
import cv2
import numpy as np
import tensorflow as tf


def exemplar_side(width, height, context=0.5):
    """Side of the exemplar window: ``sqrt((w + p)(h + p))`` with context margin ``p = context * (w + h)``."""
    margin = context * (width + height)
    return np.sqrt((width + margin) * (height + margin))


def search_side(width, height, context=0.5, exemplar_size=127, instance_size=255):
    """Side of the search window: the exemplar side scaled by ``instance_size / exemplar_size``."""
    return exemplar_side(width, height, context) * instance_size / exemplar_size


def scale_factors(scale_num, scale_step):
    """The pyramid's relative scales ``step ** k`` for ``k = -(n-1)/2 .. (n-1)/2``."""
    return scale_step ** (np.arange(scale_num) - (scale_num - 1) / 2.0)


OUTSIDE = -1.0     # what the resampling writes where a crop leaves the image (pixel values are never negative)
MARGIN = 1e-6      # normalised distance from the image's border within which a window may reach outside it


def crop_tf(image, center, sides, out_size):
    """Crop ``len(sides)`` square windows centred on ``center`` = (cx, cy) from an (H, W, 3) image.

    Returns (N, out_size, out_size, 3) float32 in [0, 255]; areas outside the image take the image mean.  The image
    is resampled as it is (``uint8`` or float, never converted whole); where every window lies inside it, nothing
    else is computed, else the image mean fills the samples outside.
    """
    image = tf.convert_to_tensor(image)
    shape = tf.cast(tf.shape(image), tf.float32)
    height, width = shape[0], shape[1]
    sides = tf.reshape(tf.cast(sides, tf.float32), [-1])
    center = tf.cast(center, tf.float32)
    half = (sides - 1.0) / 2.0
    y1 = (center[1] - half) / tf.maximum(height - 1.0, 1.0)
    x1 = (center[0] - half) / tf.maximum(width - 1.0, 1.0)
    y2 = (center[1] + half) / tf.maximum(height - 1.0, 1.0)
    x2 = (center[0] + half) / tf.maximum(width - 1.0, 1.0)
    boxes = tf.stack([y1, x1, y2, x2], axis=1)
    indices = tf.zeros(tf.shape(sides), tf.int32)
    crops = tf.image.crop_and_resize(image[None], boxes, indices, [out_size, out_size], method="bilinear",
                                     extrapolation_value=OUTSIDE)
    inside = tf.logical_and(tf.reduce_min(boxes[:, :2]) > MARGIN, tf.reduce_max(boxes[:, 2:]) < 1.0 - MARGIN)

    def padded():
        outside = tf.cast(crops[..., :1] < 0.0, tf.float32)
        mean = tf.reduce_mean(tf.cast(image, tf.float32), axis=[0, 1])
        return crops * (1.0 - outside) + outside * mean

    return tf.cond(inside, lambda: crops, padded)


def crop_numpy(image, center, side, out_size, fill=None):
    """The same window as :func:`crop_tf` with OpenCV, area-averaged when shrinking by more than 1.5x (the
    ``train_crops`` curation).  Returns ``uint8`` (out_size, out_size, 3)."""
    image = np.asarray(image)
    fill = image.reshape(-1, image.shape[-1]).mean(axis=0) if fill is None else fill
    factor = (side - 1.0) / max(out_size - 1.0, 1.0)
    cx, cy = float(center[0]), float(center[1])
    if factor > 1.5:
        shrink = int(np.floor(factor))
        small = cv2.resize(image, (max(1, round(image.shape[1] / shrink)), max(1, round(image.shape[0] / shrink))),
                           interpolation=cv2.INTER_AREA)
        sx = image.shape[1] / small.shape[1]
        sy = image.shape[0] / small.shape[0]
        image = small
        cx, cy = (cx + 0.5) / sx - 0.5, (cy + 0.5) / sy - 0.5
        factor = factor / ((sx + sy) / 2.0)
    left = cx - (out_size - 1) / 2.0 * factor
    top = cy - (out_size - 1) / 2.0 * factor
    matrix = np.array([[factor, 0.0, left], [0.0, factor, top]])
    return cv2.warpAffine(image, matrix, (out_size, out_size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=tuple(float(v) for v in fill))
