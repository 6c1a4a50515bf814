"""Procedural tracking sequences that are hard in the ways model update addresses.

Every sequence is drawn from ``numpy.random.default_rng(seed)`` only (no global random state), so the same seed and
config give the same frames and boxes.  A sequence has:

* a textured background (smooth noise, blobs, stripes or a gradient; or crops of given images) panned over time;
* a target: a shape (ellipse, rounded rectangle or random blob) with a textured fill (stripes, checks, spots or
  noise; or a given object patch with a feathered elliptical mask) whose appearance drifts: its colours and texture
  blend toward a second appearance, its pattern rotates and its brightness changes;
* smooth random-walk changes of scale and aspect ratio, smooth motion with occasional fast moves, kept mostly inside
  the frame;
* occluders passing in front of the target (the hidden fraction is recorded per frame; frames hidden by
  ``absent_occlusion`` or more are marked absent);
* look-alike distractors (same shape family and texture, slightly different colour) passing near the target, drawn
  behind it.

Boxes are 0-based ``(x, y, w, h)`` (see :mod:`tf_lu.geometry.boxes`): the tight box of the whole object (also when partly
occluded), clipped to the frame.  Absent frames have NaN rows and ``absent`` set.  Two extra attributes ride on the
returned :class:`~tf_lu.data.sequences.Sequence`: ``occlusion`` (per-frame hidden fraction, 0..1, counting occluders
and the frame border) and ``true_boxes`` (the boxes also for absent frames).

Cost: one texture set per sequence, then per frame one background warp and one small warp per visible object, so a
60-frame 240x320 sequence takes a small fraction of a second.
"""
import dataclasses
import math
import os
from typing import Optional

import cv2
import numpy as np
from PIL import Image

from tf_lu.data.images import to_rgb
from tf_lu.data.sequences import Sequence
from tf_lu.errors import TfLuError, check

SHAPES = ("ellipse", "rectangle", "blob")
TARGET_TEXTURES = ("stripes", "checker", "spots", "noise")
BACKGROUND_TEXTURES = ("noise", "blobs", "stripes", "gradient")


@dataclasses.dataclass(frozen=True)
class SyntheticConfig:
    """Knobs of :func:`generate_sequence`; every field has a sensible default."""
    num_frames: int = 60  # frames per sequence
    height: int = 240  # frame height in pixels
    width: int = 320  # frame width in pixels
    target_size: tuple = (0.12, 0.3)  # initial target size sqrt(w*h) as a fraction of the shorter frame side (min, max)
    aspect_ratio: tuple = (0.5, 2.0)  # initial target aspect ratio w/h (min, max), drawn log-uniformly
    scale_change: float = 0.35  # amplitude of the smooth log-scale walk (0.35: roughly x0.7 to x1.4 of the start size)
    aspect_change: float = 0.2  # amplitude of the smooth log-aspect-ratio walk
    max_size: float = 0.7  # the target never gets wider/taller than this fraction of the frame width/height
    speed: float = 0.012  # typical target speed per frame, as a fraction of the shorter frame side
    fast_move_prob: float = 0.04  # per-frame chance that a fast move (a decaying velocity kick) starts
    fast_move_factor: float = 3.0  # size of a fast-move kick relative to the typical speed
    border_margin: float = 0.05  # target centre keeps this fraction of the frame size (+30% of its size) off the border
    drift: float = 0.6  # appearance drift: how far colour/texture blend toward a second appearance by the end (0..1)
    pattern_rotation: float = 60.0  # largest total rotation in degrees of the target's texture over the sequence
    illumination: float = 0.25  # amplitude of the target's smooth brightness change (0.25: x0.75 to x1.25)
    frame_illumination: float = 0.1  # amplitude of a smooth brightness change of the whole frame
    occlusion_prob: float = 0.5  # chance, for each of max_occluders occluders, that it passes over the target
    max_occluders: int = 2  # most occluders per sequence
    absent_occlusion: float = 0.9  # hidden fraction at or above which a frame is marked absent
    num_distractors: tuple = (0, 3)  # number of look-alike distractors, drawn uniformly from this inclusive range
    distractor_color_shift: float = 0.12  # colour difference of distractors from the target (fraction of 0..255)
    background_speed: float = 1.0  # background pan speed in pixels per frame
    noise_std: float = 2.0  # standard deviation of per-pixel sensor noise in grey levels (0: none)
    shapes: tuple = SHAPES  # target/distractor shapes to choose from ("ellipse", "rectangle", "blob")
    object_feather: float = 0.15  # feather width of the elliptical mask of given object patches (fraction of radius)


def _check_config(config):
    check(isinstance(config, SyntheticConfig), "config must be a SyntheticConfig")
    check(int(config.num_frames) >= 1, f"num_frames must be at least 1, got {config.num_frames}")
    check(int(config.height) >= 16 and int(config.width) >= 16,
          f"frames must be at least 16x16 pixels, got {config.width}x{config.height}")
    lo, hi = config.target_size
    check(0 < lo <= hi <= 1, f"target_size must be 0 < min <= max <= 1, got {config.target_size}")
    lo, hi = config.aspect_ratio
    check(0 < lo <= hi, f"aspect_ratio must be 0 < min <= max, got {config.aspect_ratio}")
    lo, hi = config.num_distractors
    check(0 <= lo <= hi, f"num_distractors must be 0 <= min <= max, got {config.num_distractors}")
    check(0 <= config.drift <= 1, f"drift must be in 0..1, got {config.drift}")
    check(0 <= config.occlusion_prob <= 1, f"occlusion_prob must be in 0..1, got {config.occlusion_prob}")
    check(0 < config.max_size <= 1, f"max_size must be in (0, 1], got {config.max_size}")
    check(len(config.shapes) > 0 and all(s in SHAPES for s in config.shapes),
          f"shapes must be a non-empty subset of {SHAPES}, got {config.shapes}")


# ----------------------------------------------------------------------------------------------------------- signals

def _smooth_signal(rng, n, periods=(40.0, 200.0), components=3):
    """A smooth random curve of length ``n``: 0 at t=0, typically within [-1, 1] (sum of slow sinusoids)."""
    t = np.arange(n, dtype=np.float64)
    amps = rng.uniform(0.3, 1.0, components)
    out = np.zeros(n)
    for amp in amps:
        out += amp * np.sin(2 * np.pi * t / rng.uniform(*periods) + rng.uniform(0, 2 * np.pi))
    out /= amps.sum()
    return out - out[0]


def _ramp(rng, n):
    """A smooth monotone random curve from 0 (t=0) to 1 (last frame)."""
    if n < 2:
        return np.zeros(n)
    rates = rng.gamma(2.0, 1.0, n)
    kernel = np.ones(5) / 5.0
    rates = np.convolve(np.pad(rates, 2, mode="edge"), kernel, mode="valid")
    cum = np.cumsum(rates) - rates[0]
    return cum / cum[-1]


# ---------------------------------------------------------------------------------------------------------- textures

def _coords(h, w):
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    return x - (w - 1) / 2.0, y - (h - 1) / 2.0


def _palette(rng, k, saturation=1.0, low=10.0, high=245.0):
    colours = rng.uniform(low, high, (k, 3))
    grey = colours.mean(axis=1, keepdims=True)
    return (grey + saturation * (colours - grey)).astype(np.float32)


def _apply_palette(field, palette):
    """Map a field in [0, 1] through a piecewise-linear palette of ``k >= 2`` colours -> float32 (h, w, 3)."""
    k = len(palette)
    f = np.clip(field, 0.0, 1.0) * np.float32(k - 1)
    i0 = np.minimum(f.astype(np.int32), k - 2)
    frac = (f - i0)[..., None]
    return palette[i0] * (1.0 - frac) + palette[i0 + 1] * frac


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
    x, y = _coords(h, w)
    angle = rng.uniform(0, np.pi)
    u = x * np.float32(math.cos(angle)) + y * np.float32(math.sin(angle))
    sharp = rng.uniform(1.0, 6.0)
    wave = np.sin(u * np.float32(2 * np.pi / feature) + np.float32(rng.uniform(0, 2 * np.pi)))
    field = 0.5 + 0.5 * np.tanh(np.float32(sharp) * wave) / np.float32(math.tanh(sharp))
    return 0.8 * field + 0.2 * _noise_field(rng, h, w, cells=3.0)


def _checker_field(rng, h, w, feature):
    x, y = _coords(h, w)
    angle = rng.uniform(0, np.pi / 2)
    c, s = np.float32(math.cos(angle)), np.float32(math.sin(angle))
    u = np.floor((x * c + y * s) / np.float32(feature))
    v = np.floor((y * c - x * s) / np.float32(feature))
    field = np.mod(u + v, 2.0).astype(np.float32)
    field = cv2.GaussianBlur(field, (0, 0), 0.8)
    return 0.8 * field + 0.2 * _noise_field(rng, h, w, cells=3.0)


def _spots_image(rng, h, w, palette, feature, count):
    """A base colour with ``count`` soft random discs from the palette -> float32 (h, w, 3)."""
    canvas = np.empty((h, w, 3), np.uint8)
    canvas[:] = np.clip(palette[0], 0, 255).astype(np.uint8)
    for _ in range(count):
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        radius = max(1, int(feature * rng.uniform(0.3, 1.0)))
        colour = palette[int(rng.integers(1, len(palette)))]
        cv2.circle(canvas, centre, radius, tuple(float(v) for v in colour), -1, lineType=cv2.LINE_AA)
    out = cv2.GaussianBlur(canvas, (0, 0), max(0.6, feature * 0.08)).astype(np.float32)
    return out * (0.85 + 0.3 * _noise_field(rng, h, w, cells=3.0)[..., None])


def _texture(rng, kind, h, w, palette, feature):
    """A float32 (h, w, 3) texture in 0..255 of one of the named kinds; ``feature`` is its pattern size in pixels."""
    if kind == "stripes":
        return _apply_palette(_stripes_field(rng, h, w, feature), palette)
    if kind == "checker":
        return _apply_palette(_checker_field(rng, h, w, feature), palette)
    if kind in ("spots", "blobs"):
        count = int(np.clip(h * w / (feature * feature) * rng.uniform(0.5, 1.5), 4, 400))
        return _spots_image(rng, h, w, palette, feature, count)
    if kind == "gradient":
        x, y = _coords(h, w)
        angle = rng.uniform(0, 2 * np.pi)
        u = x * np.float32(math.cos(angle)) + y * np.float32(math.sin(angle))
        u = (u - u.min()) / np.float32(u.max() - u.min() + 1e-6)
        return _apply_palette(0.7 * u + 0.3 * _noise_field(rng, h, w, cells=4.0), palette)
    # "noise"
    cells = max(2.0, max(h, w) / max(feature, 1.0))
    return _apply_palette(_noise_field(rng, h, w, cells=cells, octaves=4), palette)


# ------------------------------------------------------------------------------------------------------------ shapes

def _shape_mask(rng, kind, size):
    """Canonical ``(size, size, 2)`` float32: alpha (its 0.5 contour touches all four sides) and shading."""
    x, y = _coords(size, size)
    half = size / 2.0
    nx, ny = x / np.float32(half), y / np.float32(half)  # -1..1 at the square's edges
    if kind == "rectangle":
        radius = rng.uniform(0.0, 0.5)  # corner radius as a fraction of the half side
        qx = np.abs(nx) - (1.0 - radius)
        qy = np.abs(ny) - (1.0 - radius)
        outside = np.sqrt(np.maximum(qx, 0) ** 2 + np.maximum(qy, 0) ** 2) + np.minimum(np.maximum(qx, qy), 0)
        alpha = 0.5 - (outside - radius) * np.float32(half)
    elif kind == "blob":
        harmonics = np.arange(2, 6)
        amps = rng.uniform(0, 0.3, harmonics.size) / harmonics * 2.0
        phases = rng.uniform(0, 2 * np.pi, harmonics.size)

        def radius_at(phi):
            r = 1.0 + sum(a * np.cos(k * phi + p) for a, k, p in zip(amps, harmonics, phases))
            return np.maximum(r, 0.35)

        phi = np.linspace(0, 2 * np.pi, 720, endpoint=False)
        r = radius_at(phi)
        bx, by = r * np.cos(phi), r * np.sin(phi)
        x0, x1, y0, y1 = bx.min(), bx.max(), by.min(), by.max()
        px = (x0 + (nx + 1.0) * 0.5 * (x1 - x0)).astype(np.float32)
        py = (y0 + (ny + 1.0) * 0.5 * (y1 - y0)).astype(np.float32)
        rho = np.sqrt(px * px + py * py)
        edge = radius_at(np.arctan2(py, px)).astype(np.float32)
        alpha = 0.5 + (edge - rho) * np.float32(size / max(x1 - x0, y1 - y0))
    else:  # ellipse
        rho = np.sqrt(nx * nx + ny * ny)
        alpha = 0.5 + (1.0 - rho) * np.float32(half)
    alpha = np.clip(alpha, 0.0, 1.0)
    rho2 = np.minimum(nx * nx + ny * ny, 2.0)
    light = rng.uniform(-0.4, 0.4, 2)
    shade = 1.0 - 0.18 * rho2 + 0.12 * (nx * np.float32(light[0]) + ny * np.float32(light[1]))
    return np.dstack([alpha, shade]).astype(np.float32)


def _feathered_ellipse(size, feather):
    x, y = _coords(size, size)
    half = size / 2.0
    rho = np.sqrt((x / np.float32(half)) ** 2 + (y / np.float32(half)) ** 2)
    alpha = np.clip((1.0 - rho) / np.float32(max(feather, 1e-3)), 0.0, 1.0)
    return np.dstack([alpha, np.ones_like(alpha)]).astype(np.float32)


# ----------------------------------------------------------------------------------------------------------- sprites

def _pyramid(image, min_side=8):
    """Half-size levels (area interpolation) down to ``min_side``; level 0 is ``image``."""
    levels = [image]
    while min(levels[-1].shape[:2]) // 2 >= min_side:
        h, w = levels[-1].shape[:2]
        levels.append(cv2.resize(levels[-1], (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    return levels


def _colour_shift(texture, rng, shift):
    gain = 1.0 + rng.normal(0, shift, 3)
    offset = rng.normal(0, shift * 255.0, 3)
    return np.clip(texture * gain.astype(np.float32) + offset.astype(np.float32), 0, 255).astype(np.float32)


class _Sprite:
    """A shape mask plus one or two textures (appearance A and B) with mip levels, rendered into small patches."""

    def __init__(self, mask, texture_a, texture_b=None):
        self.masks = _pyramid(mask)
        size = mask.shape[0]
        self.tex_a = self._levels(texture_a, size)
        self.tex_b = None if texture_b is None else self._levels(texture_b, size)
        self.mean_alpha = [float(m[..., 0].mean()) for m in self.masks]

    def _levels(self, texture, size):
        levels = [texture]
        for mask in self.masks[1:]:
            side = max(2, int(round(texture.shape[0] * mask.shape[0] / size)))
            levels.append(cv2.resize(levels[-1], (side, side), interpolation=cv2.INTER_AREA))
        return levels

    def render(self, cx, cy, w, h, theta, blend, gain, frame_h, frame_w):
        """Colour ``(ph, pw, 3)`` and alpha ``(ph, pw)`` patches and their top-left corner, or None if off-frame."""
        x0 = max(0, int(math.floor(cx - w / 2.0)) - 1)
        y0 = max(0, int(math.floor(cy - h / 2.0)) - 1)
        x1 = min(frame_w, int(math.ceil(cx + w / 2.0)) + 2)
        y1 = min(frame_h, int(math.ceil(cy + h / 2.0)) + 2)
        if x1 <= x0 or y1 <= y0 or w <= 0 or h <= 0:
            return None
        level = 0
        while level + 1 < len(self.masks) and self.masks[level + 1].shape[0] >= max(w, h):
            level += 1
        mask = self.masks[level]
        side = mask.shape[0]
        sx, sy = w / side, h / side
        lx, ly = cx - x0, cy - y0
        dsize = (x1 - x0, y1 - y0)
        centre = (side - 1) / 2.0
        warp = np.array([[sx, 0, lx - sx * centre], [0, sy, ly - sy * centre]], np.float32)
        shaped = cv2.warpAffine(mask, warp, dsize, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                                borderValue=0)
        texture = self.tex_a[level]
        if self.tex_b is not None and blend > 0:
            texture = cv2.addWeighted(texture, 1.0 - blend, self.tex_b[level], blend, 0.0)
        tc = (texture.shape[0] - 1) / 2.0
        c, s = math.cos(theta), math.sin(theta)
        linear = np.array([[sx * c, -sx * s], [sy * s, sy * c]])
        shift = np.array([lx, ly]) - linear @ np.array([tc, tc])
        warp = np.hstack([linear, shift[:, None]]).astype(np.float32)
        colour = cv2.warpAffine(texture, warp, dsize, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        colour *= (shaped[..., 1] * np.float32(gain))[..., None]
        return colour, np.ascontiguousarray(shaped[..., 0]), x0, y0, level

    def full_alpha(self, level, w, h):
        """The object's total alpha (its area in pixels) if nothing were clipped."""
        return self.mean_alpha[level] * w * h


def _blend(frame, colour, alpha, x0, y0):
    h, w = alpha.shape
    region = frame[y0:y0 + h, x0:x0 + w]
    colour -= region
    colour *= alpha[..., None]
    region += colour


# -------------------------------------------------------------------------------------------------------- generation

def _as_images(images, what):
    if images is None:
        return None
    images = [to_rgb(im) for im in images]
    check(len(images) > 0, f"{what} must be a non-empty list of RGB images")
    for im in images:
        check(im.shape[0] >= 2 and im.shape[1] >= 2, f"{what}: image too small {im.shape}")
    return images


def _random_crop(rng, image, out_h, out_w, zoom=(1.0, 1.5)):
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


def _smoothed_velocity(centres):
    if len(centres) < 2:
        return np.zeros_like(centres)
    vel = np.gradient(centres, axis=0)
    kernel = np.ones(7) / 7.0
    return np.stack([np.convolve(np.pad(vel[:, i], 3, mode="edge"), kernel, mode="valid") for i in range(2)], 1)


def _trajectory(rng, cfg, aspect0):
    n, H, W = cfg.num_frames, cfg.height, cfg.width
    short = min(H, W)
    size0 = rng.uniform(*cfg.target_size) * short
    log_scale = cfg.scale_change * _smooth_signal(rng, n)
    log_aspect = math.log(aspect0) + cfg.aspect_change * _smooth_signal(rng, n)
    size = size0 * np.exp(log_scale)
    w = size * np.exp(0.5 * log_aspect)
    h = size * np.exp(-0.5 * log_aspect)
    fit = np.minimum(1.0, np.minimum(cfg.max_size * W / w, cfg.max_size * H / h))
    w = np.maximum(w * fit, 4.0)
    h = np.maximum(h * fit, 4.0)

    speed = cfg.speed * short
    momentum = 0.85
    sigma = speed * math.sqrt(1 - momentum ** 2) / math.sqrt(2)
    centres = np.zeros((n, 2))
    limits = np.array([W - 1.0, H - 1.0])
    sizes = np.stack([w, h], 1)
    lo0 = np.minimum(sizes[0] / 2 + 1 + cfg.border_margin * limits, limits / 2)
    centre = lo0 + rng.random(2) * (limits - 2 * lo0)
    velocity = rng.normal(0, speed / math.sqrt(2), 2)
    centres[0] = centre
    for t in range(1, n):
        velocity = momentum * velocity + rng.normal(0, sigma, 2)
        kick, angle = rng.random(), rng.uniform(0, 2 * np.pi)
        if t >= 2 and kick < cfg.fast_move_prob:
            towards = limits / 2 - centre
            direction = np.array([math.cos(angle), math.sin(angle)]) + towards / (np.linalg.norm(towards) + 1e-6)
            velocity = velocity + cfg.fast_move_factor * speed * direction / (np.linalg.norm(direction) + 1e-6)
        centre = centre + velocity
        lo = np.minimum(cfg.border_margin * limits + 0.3 * sizes[t], limits / 2)
        hi = limits - lo
        for axis in range(2):
            if centre[axis] < lo[axis]:
                centre[axis] = min(hi[axis], 2 * lo[axis] - centre[axis])
                velocity[axis] = abs(velocity[axis])
            elif centre[axis] > hi[axis]:
                centre[axis] = max(lo[axis], 2 * hi[axis] - centre[axis])
                velocity[axis] = -abs(velocity[axis])
        centres[t] = centre
    return centres, w, h


def _object_size(trajectory_sizes):
    """Canonical mask side: the largest the object gets (capped), so warps mostly shrink."""
    return int(np.clip(math.ceil(float(np.max(trajectory_sizes))), 8, 320))


def _boxes_overlap(a, b):
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def generate_sequence(seed, config=SyntheticConfig(), name=None, objects=None, backgrounds=None):
    """One procedural sequence for ``seed`` (an int or a tuple of ints) as an in-memory
    :class:`~tf_lu.data.sequences.Sequence` (RGB ``uint8`` frames, 0-based boxes, ``absent`` flags, plus the extra
    attributes ``occlusion`` and ``true_boxes``).

    ``objects``: RGB patches; the target and its look-alike distractors are made from them (feathered elliptical
    mask) instead of procedural shapes and textures.  ``backgrounds``: RGB images of any size; the background (and
    some occluders) are random crops of them instead of procedural textures.
    """
    _check_config(config)
    check(seed is not None, "generate_sequence needs a seed")
    cfg = config
    objects = _as_images(objects, "objects")
    backgrounds = _as_images(backgrounds, "backgrounds")
    rng = np.random.default_rng(seed)
    n, H, W = int(cfg.num_frames), int(cfg.height), int(cfg.width)
    short = min(H, W)
    if name is None:
        name = "synthetic-" + ("-".join(str(int(s)) for s in seed) if isinstance(seed, (tuple, list)) else str(seed))

    # --- the target: geometry over time
    if objects is not None:
        patch_index = int(rng.integers(len(objects)))
        patch = objects[patch_index]
        lo, hi = cfg.aspect_ratio
        aspect0 = float(np.clip(patch.shape[1] / patch.shape[0] * rng.uniform(0.9, 1.1), lo, hi))
    else:
        patch = None
        aspect0 = math.exp(rng.uniform(*np.log(cfg.aspect_ratio)))
    centres, widths, heights = _trajectory(rng, cfg, aspect0)
    side = _object_size(np.concatenate([widths, heights]))

    # --- the target: appearance over time
    blend = cfg.drift * rng.uniform(0.6, 1.0) * _ramp(rng, n)
    rotation_limit = cfg.pattern_rotation if patch is None else min(cfg.pattern_rotation, 20.0)
    theta = math.radians(rng.uniform(-1, 1) * rotation_limit) * _ramp(rng, n)
    gain = 1.0 + cfg.illumination * np.clip(_smooth_signal(rng, n), -1, 1)
    if patch is not None:
        mask = _feathered_ellipse(side, cfg.object_feather)
        tex_a = cv2.resize(patch, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
        mix = np.eye(3) + rng.normal(0, 0.3, (3, 3))
        mix /= np.maximum(mix.sum(axis=1, keepdims=True), 0.5)
        tex_b = tex_a.reshape(-1, 3) @ mix.T.astype(np.float32) + rng.normal(0, 30, 3).astype(np.float32)
        tex_b = cv2.GaussianBlur(np.clip(tex_b, 0, 255).reshape(tex_a.shape), (0, 0), max(0.5, side / 60))
        shape_kind, texture_kind = "ellipse", None
    else:
        shape_kind = cfg.shapes[int(rng.integers(len(cfg.shapes)))]
        texture_kind = TARGET_TEXTURES[int(rng.integers(len(TARGET_TEXTURES)))]
        mask = _shape_mask(rng, shape_kind, side)
        tex_side = int(math.ceil(side * 1.45))
        feature = side * rng.uniform(0.12, 0.35)
        tex_a = _texture(rng, texture_kind, tex_side, tex_side, _palette(rng, int(rng.integers(2, 5))), feature)
        feature_b = feature * rng.uniform(0.7, 1.4)
        tex_b = _texture(rng, texture_kind, tex_side, tex_side, _palette(rng, int(rng.integers(2, 5))), feature_b)
    target = _Sprite(mask, tex_a, tex_b)

    # --- distractors: same shape family and texture, slightly different colour, passing near the target
    velocity = _smoothed_velocity(centres)
    t_index = np.arange(n, dtype=np.float64)
    distractors = []
    for _ in range(int(rng.integers(cfg.num_distractors[0], cfg.num_distractors[1] + 1))):
        shift_rng = np.random.default_rng(rng.integers(2 ** 63))
        d_mask = mask if patch is not None else _shape_mask(rng, shape_kind, side)
        d_sprite = _Sprite(d_mask, _colour_shift(tex_a, shift_rng, cfg.distractor_color_shift),
                           None if tex_b is None else _colour_shift(tex_b, shift_rng, cfg.distractor_color_shift))
        t0 = int(round(rng.uniform(0.2, 1.0) * (n - 1)))
        reach = max(widths[t0], heights[t0])
        phi = rng.uniform(0, 2 * np.pi)
        offset = reach * rng.uniform(0.9, 1.8) * np.array([math.cos(phi), math.sin(phi)])
        rel = max(0.5, rng.uniform(0.5, 2.0) * cfg.speed * short) * rng.choice([-1.0, 1.0])
        rel_v = rel * np.array([-math.sin(phi), math.cos(phi)])
        wobble = 0.15 * reach * np.stack([_smooth_signal(rng, n, (15.0, 60.0)) for _ in range(2)], 1)
        path = centres[t0] + offset + (velocity[t0] + rel_v) * (t_index - t0)[:, None] + wobble
        scale = rng.uniform(0.8, 1.2, 2)
        distractors.append(dict(sprite=d_sprite, path=path, w=widths * scale[0], h=heights * scale[1],
                                theta=theta + math.radians(rng.uniform(-25, 25)), gain=gain * rng.uniform(0.9, 1.1)))

    # --- occluders: pass over the target at a random time, never at the first frame
    first_box = np.array([centres[0, 0] - widths[0] / 2, centres[0, 1] - heights[0] / 2, widths[0], heights[0]])
    occluders = []
    for _ in range(int(cfg.max_occluders)):
        if rng.random() >= cfg.occlusion_prob or n < 3:
            continue
        t0 = int(round(rng.uniform(max(2.0, 0.15 * (n - 1)), n - 1)))
        tw, th = widths[t0], heights[t0]
        ow, oh = tw * rng.uniform(0.6, 1.8), th * rng.uniform(0.6, 1.8)
        offset = rng.uniform(-0.35, 0.35, 2) * np.array([tw, th])
        phi = rng.uniform(0, 2 * np.pi)
        direction = np.array([math.cos(phi), math.sin(phi)])
        crossing = abs(direction[0]) * (ow + tw) + abs(direction[1]) * (oh + th)
        duration = rng.uniform(6.0, 20.0) * min(1.0, n / 40.0)
        path = centres[t0] + offset + (velocity[t0] + direction * crossing / duration) * (t_index - t0)[:, None]
        o_shape = SHAPES[int(rng.integers(len(SHAPES)))]
        o_side = int(np.clip(math.ceil(max(ow, oh)), 8, 320))
        source = rng.random()
        if objects is not None and len(objects) > 1 and source < 0.5:
            other = objects[(patch_index + 1 + int(rng.integers(len(objects) - 1))) % len(objects)]
            o_mask = _feathered_ellipse(o_side, cfg.object_feather)
            o_tex = cv2.resize(other, (o_side, o_side), interpolation=cv2.INTER_AREA).astype(np.float32)
        else:
            o_mask = _shape_mask(rng, o_shape, o_side)
            if backgrounds is not None:
                o_tex = _random_crop(rng, backgrounds[int(rng.integers(len(backgrounds)))], o_side, o_side)
            else:
                kind = BACKGROUND_TEXTURES[int(rng.integers(len(BACKGROUND_TEXTURES)))]
                o_tex = _texture(rng, kind, o_side, o_side, _palette(rng, 3, saturation=0.8),
                                 o_side * rng.uniform(0.1, 0.3))
        o_box = np.array([path[0, 0] - ow / 2, path[0, 1] - oh / 2, ow, oh])
        if _boxes_overlap(o_box, first_box):
            continue
        occluders.append(dict(sprite=_Sprite(o_mask, o_tex), path=path, w=ow, h=oh))

    # --- background: a canvas panned along a meandering path
    heading = rng.uniform(0, 2 * np.pi) + 1.5 * _smooth_signal(rng, n)
    step = cfg.background_speed * rng.uniform(0.5, 1.5) * np.stack([np.cos(heading), np.sin(heading)], 1)
    pan = np.vstack([np.zeros((1, 2)), np.cumsum(step[1:], axis=0)]) if n > 1 else np.zeros((1, 2))
    span = pan.max(axis=0) - pan.min(axis=0)
    limit = max(H, W)
    if span.max() > limit:
        pan *= limit / span.max()
        span = pan.max(axis=0) - pan.min(axis=0)
    pan = pan - pan.min(axis=0) + 1.0
    canvas_w, canvas_h = W + int(math.ceil(span[0])) + 3, H + int(math.ceil(span[1])) + 3
    if backgrounds is not None:
        canvas = _random_crop(rng, backgrounds[int(rng.integers(len(backgrounds)))], canvas_h, canvas_w)
    else:
        kind = BACKGROUND_TEXTURES[int(rng.integers(len(BACKGROUND_TEXTURES)))]
        canvas = _texture(rng, kind, canvas_h, canvas_w, _palette(rng, int(rng.integers(2, 5)), saturation=0.6),
                          short * rng.uniform(0.06, 0.25))
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    frame_gain = 1.0 + cfg.frame_illumination * np.clip(_smooth_signal(rng, n), -1, 1)
    if cfg.noise_std > 0:
        noise_bank = rng.standard_normal((2, H, W, 3), dtype=np.float32) * np.float32(cfg.noise_std)
        noise_pick = rng.integers(0, 4, n)
    else:
        noise_bank, noise_pick = None, None

    # --- render
    frames, true_boxes = [], np.zeros((n, 4))
    occlusion = np.zeros(n)
    for t in range(n):
        shift = np.array([[1, 0, -pan[t, 0]], [0, 1, -pan[t, 1]]], np.float32)
        frame = cv2.warpAffine(canvas, shift, (W, H), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_REFLECT_101).astype(np.float32)
        for d in distractors:
            out = d["sprite"].render(d["path"][t, 0], d["path"][t, 1], d["w"][t], d["h"][t], d["theta"][t],
                                     blend[t], d["gain"][t], H, W)
            if out is not None:
                _blend(frame, *out[:4])
        cx, cy, w, h = centres[t, 0], centres[t, 1], widths[t], heights[t]
        out = target.render(cx, cy, w, h, theta[t], blend[t], gain[t], H, W)
        if out is None:
            occlusion[t] = 1.0
            target_alpha = None
        else:
            colour, target_alpha, tx, ty, level = out
            full = target.full_alpha(level, w, h)
            cover = np.zeros_like(target_alpha)
            _blend(frame, colour, target_alpha, tx, ty)
        for o in occluders:
            ox, oy = o["path"][t]
            out = o["sprite"].render(ox, oy, o["w"], o["h"], 0.0, 0.0, 1.0, H, W)
            if out is None:
                continue
            o_colour, o_alpha, x0, y0, _ = out
            _blend(frame, o_colour, o_alpha, x0, y0)
            if target_alpha is not None:
                ix0, iy0 = max(tx, x0), max(ty, y0)
                ix1 = min(tx + target_alpha.shape[1], x0 + o_alpha.shape[1])
                iy1 = min(ty + target_alpha.shape[0], y0 + o_alpha.shape[0])
                if ix1 > ix0 and iy1 > iy0:
                    part = cover[iy0 - ty:iy1 - ty, ix0 - tx:ix1 - tx]
                    part += (1.0 - part) * o_alpha[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        if target_alpha is not None:
            visible = float((target_alpha * (1.0 - cover)).sum()) / max(full, 1e-6)
            occlusion[t] = float(np.clip(1.0 - visible, 0.0, 1.0))
        frame *= np.float32(frame_gain[t])
        if noise_bank is not None:
            noise = noise_bank[noise_pick[t] % 2]
            frame += noise[::-1] if noise_pick[t] >= 2 else noise
        frame += 0.5
        np.clip(frame, 0, 255, out=frame)
        frames.append(frame.astype(np.uint8))
        left, top = cx - (w - 1) / 2.0, cy - (h - 1) / 2.0
        right, bottom = min(left + w, W), min(top + h, H)
        left, top = max(left, 0.0), max(top, 0.0)
        true_boxes[t] = [left, top, right - left, bottom - top]
    occlusion[occlusion < 0.02] = 0.0  # resampling noise of an unhidden target
    absent = (occlusion >= cfg.absent_occlusion) | (true_boxes[:, 2] <= 0) | (true_boxes[:, 3] <= 0)
    absent[0] = False
    boxes = true_boxes.copy()
    boxes[absent] = np.nan
    sequence = Sequence(name=name, frames=frames, boxes=boxes, absent=absent)
    sequence.occlusion = occlusion
    sequence.true_boxes = true_boxes
    return sequence


def sequence_seed(seed, index):
    """The seed :func:`generate_dataset` uses for its ``index``-th sequence."""
    return (int(seed), int(index))


def generate_dataset(seed, count, config=SyntheticConfig(), objects=None, backgrounds=None):
    """``count`` sequences named ``synthetic-0000`` ...; sequence ``i`` is
    ``generate_sequence(sequence_seed(seed, i), config)``, so a longer dataset extends a shorter one."""
    check(int(count) >= 0, f"count must be at least 0, got {count}")
    return [generate_sequence(sequence_seed(seed, i), config, name=f"synthetic-{i:04d}", objects=objects,
                              backgrounds=backgrounds) for i in range(int(count))]


def write_otb_folder(sequence, folder):
    """Write ``folder/img/0001.jpg`` ... (JPEG quality 90) and ``folder/groundtruth_rect.txt`` (1-based ``x,y,w,h``
    with 2 decimals; ``NaN,NaN,NaN,NaN`` for absent frames), readable by
    :func:`tf_lu.data.sequences.read_otb_sequence`."""
    count = len(sequence)
    boxes = np.asarray(sequence.boxes, dtype=np.float64).reshape(-1, 4)
    check(len(boxes) == count, f"{sequence.name}: {len(boxes)} boxes but {count} frames")
    absent = np.zeros(count, bool) if sequence.absent is None else np.asarray(sequence.absent, bool)
    image_dir = os.path.join(folder, "img")
    try:
        os.makedirs(image_dir, exist_ok=True)
        digits = max(4, len(str(count)))
        for i in range(count):
            Image.fromarray(sequence.frame(i)).save(os.path.join(image_dir, f"{i + 1:0{digits}d}.jpg"), quality=90)
        lines = []
        for i, box in enumerate(boxes):
            if absent[i] or not np.all(np.isfinite(box)):
                lines.append("NaN,NaN,NaN,NaN")
            else:
                x, y, w, h = box
                lines.append(f"{x + 1:.2f},{y + 1:.2f},{w:.2f},{h:.2f}")
        with open(os.path.join(folder, "groundtruth_rect.txt"), "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    except OSError as exc:
        raise TfLuError(f"cannot write {folder}: {exc}") from None
