"""Plain and composite pairs from crop tracks (:mod:`tf_lu.data.pairs.crop_tracks`).

:func:`sample_pair` draws two frames of one track at most ``max_gap`` apart; :func:`composite_pair` cuts the target
out of both (feathered) and pastes it over crops of *another* sequence, with photometric change and distractors (some
of them the same object from a third frame), because 54 real objects are too few to learn features from by
themselves.
"""
import cv2
import numpy as np

from tf_lu.data.pairs.crop_tracks import CROP_SIZE, EXEMPLAR_MARGIN, center_window

def frame_pair(tracks, rng, max_gap, min_visible=2):
    """A random track with at least ``min_visible`` visible frames, and two of them at most ``max_gap`` apart."""
    while True:
        track = tracks[rng.integers(len(tracks))]
        visible = track.visible
        if len(visible) >= min_visible:
            break
    i = visible[rng.integers(len(visible))]
    near = visible[(np.abs(visible - i) <= max_gap) & (visible != i)]
    j = near[rng.integers(len(near))] if len(near) else i
    return track, visible, i, j


def sample_pair(tracks, rng, max_gap=100):
    """Two visible frames of one track at most ``max_gap`` apart -> (exemplar 143, search 255, track name)."""
    track, _, i, j = frame_pair(tracks, rng, max_gap)
    return center_window(track.crops[i], EXEMPLAR_MARGIN), track.crops[j], track.name


def cutout(track, index, rng):
    """The target of one frame with a margin, and a feathered elliptical alpha mask."""
    x, y, w, h = track.boxes[index]
    pad = 0.12 * (w + h) / 2
    x0, y0 = int(max(0, np.floor(x - pad))), int(max(0, np.floor(y - pad)))
    x1 = int(min(CROP_SIZE, np.ceil(x + w + pad)))
    y1 = int(min(CROP_SIZE, np.ceil(y + h + pad)))
    patch = track.crops[index][y0:y1, x0:x1]
    ph, pw = patch.shape[:2]
    yy, xx = np.mgrid[0:ph, 0:pw]
    r = np.sqrt(((xx - (pw - 1) / 2) / (pw / 2)) ** 2 + ((yy - (ph - 1) / 2) / (ph / 2)) ** 2)
    softness = rng.uniform(0.15, 0.35)
    alpha = np.clip((1.0 - r) / softness, 0, 1).astype(np.float32)
    return patch, alpha


def paste_patch(canvas, patch, alpha, cx, cy, scale, gain):
    """Alpha-blend ``patch`` resized by ``scale`` and brightness ``gain`` into ``canvas`` centred at (cx, cy)."""
    ph, pw = patch.shape[:2]
    nw, nh = max(2, int(round(pw * scale))), max(2, int(round(ph * scale)))
    patch = cv2.resize(patch, (nw, nh), interpolation=cv2.INTER_LINEAR).astype(np.float32) * gain
    alpha = cv2.resize(alpha, (nw, nh), interpolation=cv2.INTER_LINEAR)[:, :, None]
    x0, y0 = int(round(cx - nw / 2)), int(round(cy - nh / 2))
    cx0, cy0 = max(0, x0), max(0, y0)
    cx1, cy1 = min(canvas.shape[1], x0 + nw), min(canvas.shape[0], y0 + nh)
    if cx1 <= cx0 or cy1 <= cy0:
        return
    p = patch[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    a = alpha[cy0 - y0:cy1 - y0, cx0 - x0:cx1 - x0]
    region = canvas[cy0:cy1, cx0:cx1]
    canvas[cy0:cy1, cx0:cx1] = region * (1 - a) + np.clip(p, 0, 255) * a


def _background(backgrounds, rng):
    """A 255x255 background window: a shifted, possibly flipped crop of another sequence's frame."""
    source = backgrounds[rng.integers(len(backgrounds))]
    side = CROP_SIZE
    if source.shape[0] > side and source.shape[1] > side:
        y = rng.integers(source.shape[0] - side + 1)
        x = rng.integers(source.shape[1] - side + 1)
        window = source[y:y + side, x:x + side]
    else:
        window = cv2.resize(source, (side, side), interpolation=cv2.INTER_AREA)
    if rng.random() < 0.5:
        window = window[:, ::-1]
    return window.astype(np.float32)


def composite_pair(tracks, backgrounds, rng, max_gap=100, max_distractors=2):
    """A pair whose target (from a real track) is pasted over backgrounds of another sequence, with photometric
    change and 0..``max_distractors`` distractors near it (half of them the same object from another frame)."""
    track, visible, i, j = frame_pair(tracks, rng, max_gap, min_visible=3)
    centre = (CROP_SIZE - 1) / 2.0
    base_scale = rng.uniform(0.9, 1.1)
    background = _background(backgrounds, rng)
    images = []
    for k, index in enumerate((i, j)):
        canvas = background.copy() if k == 0 else np.roll(background, rng.integers(-12, 13, size=2), axis=(0, 1))
        canvas = canvas * rng.uniform(0.8, 1.2)
        if k == 1:
            for _ in range(rng.integers(0, max_distractors + 1)):
                if rng.random() < 0.5:
                    other, other_index = track, visible[rng.integers(len(visible))]
                else:
                    other = tracks[rng.integers(len(tracks))]
                    if len(other.visible) == 0:
                        continue
                    other_index = other.visible[rng.integers(len(other.visible))]
                angle = rng.uniform(0, 2 * np.pi)
                radius = rng.uniform(55, 110)
                patch, alpha = cutout(other, other_index, rng)
                paste_patch(canvas, patch, alpha, centre + radius * np.cos(angle), centre + radius * np.sin(angle),
                       base_scale * rng.uniform(0.85, 1.15), rng.uniform(0.7, 1.3))
        patch, alpha = cutout(track, index, rng)
        scale = base_scale * (1.0 if k == 0 else rng.uniform(0.92, 1.08))
        paste_patch(canvas, patch, alpha, centre, centre, scale, rng.uniform(0.7, 1.3))
        images.append(np.clip(canvas, 0, 255).astype(np.uint8))
    exemplar_crop = center_window(images[0], EXEMPLAR_MARGIN)
    search_crop = images[1]
    return exemplar_crop, search_crop, f"{track.name}+composite"
