"""The plan of one sequence, drawn from its random generator in a fixed order: the target (its path over the frames
and its appearance), the look-alike distractors, the occluders and the panned background."""
import dataclasses
import math
from typing import Optional

import cv2
import numpy as np

from tf_lu.data.synthetic.config import BACKGROUND_TEXTURES, SHAPES, TARGET_TEXTURES
from tf_lu.data.synthetic.motion import boxes_overlap, object_size, smoothed_velocity, trajectory
from tf_lu.data.synthetic.signals import ramp, smooth_signal
from tf_lu.data.synthetic.sprites import Sprite, colour_shift, feathered_ellipse, shape_mask
from tf_lu.data.synthetic.textures import palette, random_crop, texture


@dataclasses.dataclass
class Target:
    """The target over the frames: centre, size, appearance blend, pattern rotation and brightness gain per frame,
    the sprite that draws it, and what its look-alikes copy (mask, textures, shape, the given patch it came from)."""
    centres: np.ndarray
    widths: np.ndarray
    heights: np.ndarray
    blend: np.ndarray
    theta: np.ndarray
    gain: np.ndarray
    sprite: Sprite
    side: int
    mask: np.ndarray
    tex_a: np.ndarray
    tex_b: Optional[np.ndarray]
    shape_kind: str
    patch_index: Optional[int]

    @property
    def velocity(self):
        return smoothed_velocity(self.centres)


@dataclasses.dataclass
class Background:
    """The background canvas, its pan offset per frame, the frame brightness gain and the sensor-noise bank."""
    canvas: np.ndarray
    pan: np.ndarray
    frame_gain: np.ndarray
    noise_bank: Optional[np.ndarray]
    noise_pick: Optional[np.ndarray]


def _target_path(rng, cfg, objects):
    """The given patch the target is made from (index and image, or None) and the target's path."""
    if objects is not None:
        patch_index = int(rng.integers(len(objects)))
        patch = objects[patch_index]
        lo, hi = cfg.aspect_ratio
        aspect0 = float(np.clip(patch.shape[1] / patch.shape[0] * rng.uniform(0.9, 1.1), lo, hi))
    else:
        patch_index, patch = None, None
        aspect0 = math.exp(rng.uniform(*np.log(cfg.aspect_ratio)))
    centres, widths, heights = trajectory(rng, cfg, aspect0)
    return patch_index, patch, centres, widths, heights


def _target_look(rng, cfg, patch, side):
    """Mask, appearance A and B textures and shape kind: from the given ``patch``, or procedural."""
    if patch is not None:
        mask = feathered_ellipse(side, cfg.object_feather)
        tex_a = cv2.resize(patch, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
        mix = np.eye(3) + rng.normal(0, 0.3, (3, 3))
        mix /= np.maximum(mix.sum(axis=1, keepdims=True), 0.5)
        tex_b = tex_a.reshape(-1, 3) @ mix.T.astype(np.float32) + rng.normal(0, 30, 3).astype(np.float32)
        tex_b = cv2.GaussianBlur(np.clip(tex_b, 0, 255).reshape(tex_a.shape), (0, 0), max(0.5, side / 60))
        return mask, tex_a, tex_b, "ellipse"
    shape_kind = cfg.shapes[int(rng.integers(len(cfg.shapes)))]
    texture_kind = TARGET_TEXTURES[int(rng.integers(len(TARGET_TEXTURES)))]
    mask = shape_mask(rng, shape_kind, side)
    tex_side = int(math.ceil(side * 1.45))
    feature = side * rng.uniform(0.12, 0.35)
    tex_a = texture(rng, texture_kind, tex_side, tex_side, palette(rng, int(rng.integers(2, 5))), feature)
    feature_b = feature * rng.uniform(0.7, 1.4)
    tex_b = texture(rng, texture_kind, tex_side, tex_side, palette(rng, int(rng.integers(2, 5))), feature_b)
    return mask, tex_a, tex_b, shape_kind


def plan_target(rng, cfg, objects):
    """The :class:`Target`: path, then appearance change over time, then its look."""
    n = int(cfg.num_frames)
    patch_index, patch, centres, widths, heights = _target_path(rng, cfg, objects)
    side = object_size(np.concatenate([widths, heights]))
    blend = cfg.drift * rng.uniform(0.6, 1.0) * ramp(rng, n)
    rotation_limit = cfg.pattern_rotation if patch is None else min(cfg.pattern_rotation, 20.0)
    theta = math.radians(rng.uniform(-1, 1) * rotation_limit) * ramp(rng, n)
    gain = 1.0 + cfg.illumination * np.clip(smooth_signal(rng, n), -1, 1)
    mask, tex_a, tex_b, shape_kind = _target_look(rng, cfg, patch, side)
    return Target(centres, widths, heights, blend, theta, gain, Sprite(mask, tex_a, tex_b), side, mask, tex_a, tex_b,
                  shape_kind, patch_index)


def _distractor(rng, cfg, target, velocity, t_index):
    """One look-alike: the target's shape family and texture in a slightly different colour, passing near it."""
    n, short = int(cfg.num_frames), min(int(cfg.height), int(cfg.width))
    widths, heights = target.widths, target.heights
    shift_rng = np.random.default_rng(rng.integers(2 ** 63))
    d_mask = target.mask if target.patch_index is not None else shape_mask(rng, target.shape_kind, target.side)
    d_sprite = Sprite(d_mask, colour_shift(target.tex_a, shift_rng, cfg.distractor_color_shift),
                      None if target.tex_b is None else colour_shift(target.tex_b, shift_rng,
                                                                     cfg.distractor_color_shift))
    t0 = int(round(rng.uniform(0.2, 1.0) * (n - 1)))
    reach = max(widths[t0], heights[t0])
    phi = rng.uniform(0, 2 * np.pi)
    offset = reach * rng.uniform(0.9, 1.8) * np.array([math.cos(phi), math.sin(phi)])
    rel = max(0.5, rng.uniform(0.5, 2.0) * cfg.speed * short) * rng.choice([-1.0, 1.0])
    rel_v = rel * np.array([-math.sin(phi), math.cos(phi)])
    wobble = 0.15 * reach * np.stack([smooth_signal(rng, n, (15.0, 60.0)) for _ in range(2)], 1)
    path = target.centres[t0] + offset + (velocity[t0] + rel_v) * (t_index - t0)[:, None] + wobble
    scale = rng.uniform(0.8, 1.2, 2)
    return dict(sprite=d_sprite, path=path, w=widths * scale[0], h=heights * scale[1],
                theta=target.theta + math.radians(rng.uniform(-25, 25)), gain=target.gain * rng.uniform(0.9, 1.1))


def plan_distractors(rng, cfg, target):
    """The look-alike distractors (their number drawn from ``cfg.num_distractors``)."""
    velocity = target.velocity
    t_index = np.arange(int(cfg.num_frames), dtype=np.float64)
    count = int(rng.integers(cfg.num_distractors[0], cfg.num_distractors[1] + 1))
    return [_distractor(rng, cfg, target, velocity, t_index) for _ in range(count)]


def _occluder_look(rng, cfg, o_side, patch_index, objects, backgrounds):
    """Mask and texture of an occluder: another given object, or a shape filled with a background texture."""
    o_shape = SHAPES[int(rng.integers(len(SHAPES)))]
    source = rng.random()
    if objects is not None and len(objects) > 1 and source < 0.5:
        other = objects[(patch_index + 1 + int(rng.integers(len(objects) - 1))) % len(objects)]
        o_mask = feathered_ellipse(o_side, cfg.object_feather)
        o_tex = cv2.resize(other, (o_side, o_side), interpolation=cv2.INTER_AREA).astype(np.float32)
        return o_mask, o_tex
    o_mask = shape_mask(rng, o_shape, o_side)
    if backgrounds is not None:
        return o_mask, random_crop(rng, backgrounds[int(rng.integers(len(backgrounds)))], o_side, o_side)
    kind = BACKGROUND_TEXTURES[int(rng.integers(len(BACKGROUND_TEXTURES)))]
    return o_mask, texture(rng, kind, o_side, o_side, palette(rng, 3, saturation=0.8), o_side * rng.uniform(0.1, 0.3))


def _occluder(rng, cfg, target, velocity, t_index, objects, backgrounds):
    """An occluder crossing the target around a random frame, or None when it would cover the first box."""
    n = int(cfg.num_frames)
    centres, widths, heights = target.centres, target.widths, target.heights
    t0 = int(round(rng.uniform(max(2.0, 0.15 * (n - 1)), n - 1)))
    tw, th = widths[t0], heights[t0]
    ow, oh = tw * rng.uniform(0.6, 1.8), th * rng.uniform(0.6, 1.8)
    offset = rng.uniform(-0.35, 0.35, 2) * np.array([tw, th])
    phi = rng.uniform(0, 2 * np.pi)
    direction = np.array([math.cos(phi), math.sin(phi)])
    crossing = abs(direction[0]) * (ow + tw) + abs(direction[1]) * (oh + th)
    duration = rng.uniform(6.0, 20.0) * min(1.0, n / 40.0)
    path = centres[t0] + offset + (velocity[t0] + direction * crossing / duration) * (t_index - t0)[:, None]
    o_side = int(np.clip(math.ceil(max(ow, oh)), 8, 320))
    o_mask, o_tex = _occluder_look(rng, cfg, o_side, target.patch_index, objects, backgrounds)
    first_box = np.array([centres[0, 0] - widths[0] / 2, centres[0, 1] - heights[0] / 2, widths[0], heights[0]])
    o_box = np.array([path[0, 0] - ow / 2, path[0, 1] - oh / 2, ow, oh])
    if boxes_overlap(o_box, first_box):
        return None
    return dict(sprite=Sprite(o_mask, o_tex), path=path, w=ow, h=oh)


def plan_occluders(rng, cfg, target, objects, backgrounds):
    """Occluders passing over the target (each with chance ``cfg.occlusion_prob``), never at the first frame."""
    n = int(cfg.num_frames)
    velocity = target.velocity
    t_index = np.arange(n, dtype=np.float64)
    occluders = []
    for _ in range(int(cfg.max_occluders)):
        if rng.random() >= cfg.occlusion_prob or n < 3:
            continue
        occluder = _occluder(rng, cfg, target, velocity, t_index, objects, backgrounds)
        if occluder is not None:
            occluders.append(occluder)
    return occluders


def _pan(rng, cfg):
    """The background's offset per frame (a meandering path, at most a frame side long) and its extent."""
    n, H, W = int(cfg.num_frames), int(cfg.height), int(cfg.width)
    heading = rng.uniform(0, 2 * np.pi) + 1.5 * smooth_signal(rng, n)
    step = cfg.background_speed * rng.uniform(0.5, 1.5) * np.stack([np.cos(heading), np.sin(heading)], 1)
    pan = np.vstack([np.zeros((1, 2)), np.cumsum(step[1:], axis=0)]) if n > 1 else np.zeros((1, 2))
    span = pan.max(axis=0) - pan.min(axis=0)
    limit = max(H, W)
    if span.max() > limit:
        pan *= limit / span.max()
        span = pan.max(axis=0) - pan.min(axis=0)
    return pan - pan.min(axis=0) + 1.0, span


def plan_background(rng, cfg, backgrounds):
    """The :class:`Background`: a canvas (a crop of a given image, or a texture) panned along a meandering path."""
    n, H, W = int(cfg.num_frames), int(cfg.height), int(cfg.width)
    short = min(H, W)
    pan, span = _pan(rng, cfg)
    canvas_w, canvas_h = W + int(math.ceil(span[0])) + 3, H + int(math.ceil(span[1])) + 3
    if backgrounds is not None:
        canvas = random_crop(rng, backgrounds[int(rng.integers(len(backgrounds)))], canvas_h, canvas_w)
    else:
        kind = BACKGROUND_TEXTURES[int(rng.integers(len(BACKGROUND_TEXTURES)))]
        canvas = texture(rng, kind, canvas_h, canvas_w, palette(rng, int(rng.integers(2, 5)), saturation=0.6),
                         short * rng.uniform(0.06, 0.25))
    canvas = np.clip(canvas, 0, 255).astype(np.uint8)
    frame_gain = 1.0 + cfg.frame_illumination * np.clip(smooth_signal(rng, n), -1, 1)
    if cfg.noise_std > 0:
        noise_bank = rng.standard_normal((2, H, W, 3), dtype=np.float32) * np.float32(cfg.noise_std)
        noise_pick = rng.integers(0, 4, n)
    else:
        noise_bank, noise_pick = None, None
    return Background(canvas, pan, frame_gain, noise_bank, noise_pick)
