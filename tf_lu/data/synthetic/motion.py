"""How the target moves: its size, aspect ratio and centre over the frames."""
import math

import numpy as np

from tf_lu.data.synthetic.signals import smooth_signal


def smoothed_velocity(centres):
    """Per-frame velocity of ``centres`` (N, 2), smoothed over 7 frames."""
    if len(centres) < 2:
        return np.zeros_like(centres)
    vel = np.gradient(centres, axis=0)
    kernel = np.ones(7) / 7.0
    return np.stack([np.convolve(np.pad(vel[:, i], 3, mode="edge"), kernel, mode="valid") for i in range(2)], 1)


def trajectory(rng, cfg, aspect0):
    """Target centres (N, 2), widths and heights (N,): a smooth walk of scale and aspect ratio from ``aspect0``, and
    a momentum walk of the centre with occasional fast moves, bounced off a margin at the frame border."""
    n, H, W = cfg.num_frames, cfg.height, cfg.width
    short = min(H, W)
    size0 = rng.uniform(*cfg.target_size) * short
    log_scale = cfg.scale_change * smooth_signal(rng, n)
    log_aspect = math.log(aspect0) + cfg.aspect_change * smooth_signal(rng, n)
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


def object_size(trajectory_sizes):
    """Canonical mask side: the largest the object gets (capped), so warps mostly shrink."""
    return int(np.clip(math.ceil(float(np.max(trajectory_sizes))), 8, 320))


def boxes_overlap(a, b):
    """Whether two ``(x, y, w, h)`` boxes overlap."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]
