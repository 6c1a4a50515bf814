"""Objects drawn into the frames: shape masks with shading, and sprites (a mask plus one or two textures with mip
levels) rendered into small patches and alpha-blended into a frame."""
import math

import cv2
import numpy as np

from tf_lu.data.synthetic.textures import coords


def shape_mask(rng, kind, size):
    """Canonical ``(size, size, 2)`` float32: alpha (its 0.5 contour touches all four sides) and shading."""
    x, y = coords(size, size)
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


def feathered_ellipse(size, feather):
    """Canonical ``(size, size, 2)`` float32: an elliptical alpha with a soft edge ``feather`` wide, flat shading."""
    x, y = coords(size, size)
    half = size / 2.0
    rho = np.sqrt((x / np.float32(half)) ** 2 + (y / np.float32(half)) ** 2)
    alpha = np.clip((1.0 - rho) / np.float32(max(feather, 1e-3)), 0.0, 1.0)
    return np.dstack([alpha, np.ones_like(alpha)]).astype(np.float32)


def _pyramid(image, min_side=8):
    """Half-size levels (area interpolation) down to ``min_side``; level 0 is ``image``."""
    levels = [image]
    while min(levels[-1].shape[:2]) // 2 >= min_side:
        h, w = levels[-1].shape[:2]
        levels.append(cv2.resize(levels[-1], (w // 2, h // 2), interpolation=cv2.INTER_AREA))
    return levels


def colour_shift(texture, rng, shift):
    """``texture`` with a random per-channel gain and offset of about ``shift`` (a look-alike's colour)."""
    gain = 1.0 + rng.normal(0, shift, 3)
    offset = rng.normal(0, shift * 255.0, 3)
    return np.clip(texture * gain.astype(np.float32) + offset.astype(np.float32), 0, 255).astype(np.float32)


class Sprite:
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


def blend_into(frame, colour, alpha, x0, y0):
    """Alpha-blend the patch ``colour`` (weights ``alpha``) into ``frame`` at ``(x0, y0)``, in place."""
    h, w = alpha.shape
    region = frame[y0:y0 + h, x0:x0 + w]
    colour -= region
    colour *= alpha[..., None]
    region += colour
