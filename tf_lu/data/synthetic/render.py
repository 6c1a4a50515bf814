"""Drawing a planned sequence frame by frame: background, distractors, target, occluders, light and noise; and
measuring how much of the target each frame hides."""
import cv2
import numpy as np

from tf_lu.data.synthetic.sprites import blend_into


def _background_frame(background, t, H, W):
    shift = np.array([[1, 0, -background.pan[t, 0]], [0, 1, -background.pan[t, 1]]], np.float32)
    return cv2.warpAffine(background.canvas, shift, (W, H), flags=cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT_101).astype(np.float32)


def _draw_distractors(frame, distractors, blend, t, H, W):
    for d in distractors:
        out = d["sprite"].render(d["path"][t, 0], d["path"][t, 1], d["w"][t], d["h"][t], d["theta"][t],
                                 blend[t], d["gain"][t], H, W)
        if out is not None:
            blend_into(frame, *out[:4])


def _add_cover(cover, tx, ty, o_alpha, x0, y0):
    """Accumulate an occluder's alpha (patch at ``(x0, y0)``) into the target's ``cover`` (patch at ``(tx, ty)``)."""
    ix0, iy0 = max(tx, x0), max(ty, y0)
    ix1 = min(tx + cover.shape[1], x0 + o_alpha.shape[1])
    iy1 = min(ty + cover.shape[0], y0 + o_alpha.shape[0])
    if ix1 > ix0 and iy1 > iy0:
        part = cover[iy0 - ty:iy1 - ty, ix0 - tx:ix1 - tx]
        part += (1.0 - part) * o_alpha[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]


def _draw_target_and_occluders(frame, target, occluders, t, H, W):
    """Draw the target and the occluders over it; returns the hidden fraction of the target (1 when off-frame)."""
    cx, cy, w, h = target.centres[t, 0], target.centres[t, 1], target.widths[t], target.heights[t]
    out = target.sprite.render(cx, cy, w, h, target.theta[t], target.blend[t], target.gain[t], H, W)
    if out is None:
        target_alpha = None
    else:
        colour, target_alpha, tx, ty, level = out
        full = target.sprite.full_alpha(level, w, h)
        cover = np.zeros_like(target_alpha)
        blend_into(frame, colour, target_alpha, tx, ty)
    for o in occluders:
        ox, oy = o["path"][t]
        out = o["sprite"].render(ox, oy, o["w"], o["h"], 0.0, 0.0, 1.0, H, W)
        if out is None:
            continue
        o_colour, o_alpha, x0, y0, _ = out
        blend_into(frame, o_colour, o_alpha, x0, y0)
        if target_alpha is not None:
            _add_cover(cover, tx, ty, o_alpha, x0, y0)
    if target_alpha is None:
        return 1.0
    visible = float((target_alpha * (1.0 - cover)).sum()) / max(full, 1e-6)
    return float(np.clip(1.0 - visible, 0.0, 1.0))


def _finish_frame(frame, background, t):
    """Frame brightness, sensor noise and rounding -> uint8."""
    frame *= np.float32(background.frame_gain[t])
    if background.noise_bank is not None:
        noise = background.noise_bank[background.noise_pick[t] % 2]
        frame += noise[::-1] if background.noise_pick[t] >= 2 else noise
    frame += 0.5
    np.clip(frame, 0, 255, out=frame)
    return frame.astype(np.uint8)


def object_box(cx, cy, w, h, H, W):
    """The tight 0-based ``[x, y, w, h]`` box of an object of size ``w`` x ``h`` drawn at centre ``(cx, cy)``,
    clipped to an ``H`` x ``W`` frame (width or height 0 or less when it is off the frame)."""
    left, top = cx - (w - 1) / 2.0, cy - (h - 1) / 2.0
    right, bottom = min(left + w, W), min(top + h, H)
    left, top = max(left, 0.0), max(top, 0.0)
    return [left, top, right - left, bottom - top]


def _true_box(target, t, H, W):
    """The tight box of the whole target in frame ``t``, clipped to the frame."""
    return object_box(target.centres[t, 0], target.centres[t, 1], target.widths[t], target.heights[t], H, W)


def distractor_boxes(cfg, distractors):
    """``(D, N, 4)`` tight boxes of the look-alike distractors in every frame, as drawn (the same centre, size and
    clipping as the target's true box); a distractor wholly off the frame has a NaN row.  Distractors are drawn
    behind the target and the occluders, so a box can also cover a distractor that is hidden there."""
    n, H, W = int(cfg.num_frames), int(cfg.height), int(cfg.width)
    boxes = np.full((len(distractors), n, 4), np.nan)
    for index, d in enumerate(distractors):
        for t in range(n):
            box = object_box(d["path"][t, 0], d["path"][t, 1], d["w"][t], d["h"][t], H, W)
            if box[2] > 0 and box[3] > 0:
                boxes[index, t] = box
    return boxes


def render_sequence(cfg, target, distractors, occluders, background):
    """Frames (uint8), true boxes (N, 4) and hidden fraction of the target (N,) of a planned sequence."""
    n, H, W = int(cfg.num_frames), int(cfg.height), int(cfg.width)
    frames, true_boxes = [], np.zeros((n, 4))
    occlusion = np.zeros(n)
    for t in range(n):
        frame = _background_frame(background, t, H, W)
        _draw_distractors(frame, distractors, target.blend, t, H, W)
        occlusion[t] = _draw_target_and_occluders(frame, target, occluders, t, H, W)
        frames.append(_finish_frame(frame, background, t))
        true_boxes[t] = _true_box(target, t, H, W)
    return frames, true_boxes, occlusion
