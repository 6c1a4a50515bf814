"""Procedural textures (stripes, checks, spots, noise, gradients) and crops of given images, float32 in 0..255."""
import math

import cv2
import numpy as np

from tf_lu.data.images import to_rgb
from tf_lu.errors import check


def coords(h, w):
    """Pixel coordinates ``(x, y)`` of an ``h`` x ``w`` grid relative to its centre, float32."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return x - (w - 1) / 2.0, y - (h - 1) / 2.0


def palette(rng, k, saturation=1.0, low=10.0, high=245.0):
    """``k`` random RGB colours, their saturation scaled by ``saturation``."""
    colours = rng.uniform(low, high, (k, 3))
    grey = colours.mean(axis=1, keepdims=True)
    return (grey + saturation * (colours - grey)).astype(np.float32)


def _apply_palette(field, colours):
    """Map a field in [0, 1] through a piecewise-linear palette of ``k >= 2`` colours -> float32 (h, w, 3)."""
    k = len(colours)
    f = np.clip(field, 0.0, 1.0) * np.float32(k - 1)
    i0 = np.minimum(f.astype(np.int32), k - 2)
    frac = (f - i0)[..., None]
    return colours[i0] * (1.0 - frac) + colours[i0 + 1] * frac


def _noise_field(rng, h, w, cells=4.0, octaves=3, persistence=0.5):
    """Smooth value noise in [0, 1] of shape (h, w): random grids upsampled with bicubic interpolation."""
    total = np.zeros((h, w), np.float32)
    amp, norm = 1.0, 0.0
    side = max(h, w)
    for octave in range(octaves):
        c = cells * 2 ** octave
        gh = max(2, int(round(c * h / side))) + 1
        gw = max(2, int(round(c * w / side))) + 1
        small = rng.random((gh, gw), dtype=np.float32)
        total += np.float32(amp) * cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        norm += amp
        amp *= persistence
    lo, hi = float(total.min()), float(total.max())
    return (total - lo) / np.float32(hi - lo + 1e-6)


def _stripes_field(rng, h, w, feature):
    x, y = coords(h, w)
    angle = rng.uniform(0, np.pi)
    u = x * np.float32(math.cos(angle)) + y * np.float32(math.sin(angle))
    sharp = rng.uniform(1.0, 6.0)
    wave = np.sin(u * np.float32(2 * np.pi / feature) + np.float32(rng.uniform(0, 2 * np.pi)))
    field = 0.5 + 0.5 * np.tanh(np.float32(sharp) * wave) / np.float32(math.tanh(sharp))
    return 0.8 * field + 0.2 * _noise_field(rng, h, w, cells=3.0)


def _checker_field(rng, h, w, feature):
    x, y = coords(h, w)
    angle = rng.uniform(0, np.pi / 2)
    c, s = np.float32(math.cos(angle)), np.float32(math.sin(angle))
    u = np.floor((x * c + y * s) / np.float32(feature))
    v = np.floor((y * c - x * s) / np.float32(feature))
    field = np.mod(u + v, 2.0).astype(np.float32)
    field = cv2.GaussianBlur(field, (0, 0), 0.8)
    return 0.8 * field + 0.2 * _noise_field(rng, h, w, cells=3.0)


def _spots_image(rng, h, w, colours, feature, count):
    """A base colour with ``count`` soft random discs from the palette -> float32 (h, w, 3)."""
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = np.clip(colours[0], 0, 255).astype(np.uint8)
    for _ in range(count):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        radius = max(1, int(feature * rng.uniform(0.3, 1.0)))
        colour = colours[int(rng.integers(1, len(colours)))]
        cv2.circle(canvas, centre, radius, tuple(float(v) for v in colour), -1, lineType=cv2.LINE_AA)
    out = cv2.GaussianBlur(canvas, (0, 0), max(0.6, feature * 0.08)).astype(np.float32)
    return out * (0.85 + 0.3 * _noise_field(rng, h, w, cells=3.0)[..., None])


def texture(rng, kind, h, w, colours, feature):
    """A float32 (h, w, 3) texture in 0..255 of one of the named kinds; ``feature`` is its pattern size in pixels."""
    if kind == "stripes":
        return _apply_palette(_stripes_field(rng, h, w, feature), colours)
    if kind == "checker":
        return _apply_palette(_checker_field(rng, h, w, feature), colours)
    if kind in ("spots", "blobs"):
        count = int(np.clip(h * w / (feature * feature) * rng.uniform(0.5, 1.5), 4, 400))
        return _spots_image(rng, h, w, colours, feature, count)
    if kind == "gradient":
        x, y = coords(h, w)
        angle = rng.uniform(0, 2 * np.pi)
        u = x * np.float32(math.cos(angle)) + y * np.float32(math.sin(angle))
        u = (u - u.min()) / np.float32(u.max() - u.min() + 1e-6)
        return _apply_palette(0.7 * u + 0.3 * _noise_field(rng, h, w, cells=4.0), colours)
    # "noise"
    cells = max(2.0, max(h, w) / max(feature, 1.0))
    return _apply_palette(_noise_field(rng, h, w, cells=cells, octaves=4), colours)


def as_images(images, what):
    """Given images as RGB arrays (None stays None); an empty list or a tiny image is a TfLuError."""
    if images is None:
        return None
    images = [to_rgb(im) for im in images]
    check(len(images) > 0, f"{what} must be a non-empty list of RGB images")
    for im in images:
        check(im.shape[0] >= 2 and im.shape[1] >= 2, f"{what}: image too small {im.shape}")
    return images


def random_crop(rng, image, out_h, out_w, zoom=(1.0, 1.5)):
    """A random crop of ``image`` resized to ``(out_h, out_w)`` -> float32 (zoom: extra magnification)."""
    ih, iw = image.shape[:2]
    scale = max(out_h / ih, out_w / iw) * rng.uniform(*zoom)  # output pixels per source pixel
    ch = min(ih, max(1, int(round(out_h / scale))))
    cw = min(iw, max(1, int(round(out_w / scale))))
    top = int(rng.integers(0, ih - ch + 1))
    left = int(rng.integers(0, iw - cw + 1))
    crop = image[top:top + ch, left:left + cw]
    interp = cv2.INTER_AREA if ch > out_h else cv2.INTER_LINEAR
    return cv2.resize(crop, (out_w, out_h), interpolation=interp).astype(np.float32)
