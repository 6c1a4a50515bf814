"""Identity switches: frames where a tracker's box leaves its target for a look-alike distractor.

The rule, one for every tracker and sequence: in frame ``t`` the prediction is **on distractor** ``d`` when

* ``d`` is visible (its box row is finite with positive width and height),
* the prediction's centre lies inside ``d``'s box: at most half its width and half its height from its centre, and
* that centre is strictly closer (Euclidean) to ``d``'s centre than to the target's centre (a target row of NaN,
  a target whose position is unknown, is infinitely far).

When several distractors qualify, the prediction is on the one whose centre is nearest.  A prediction that is not a
valid box (NaN or a size of 0 or less) is on no distractor.  An **identity switch** is a frame on a distractor whose
previous frame was not on that same distractor (on the target, on nothing, or on another distractor); frame 0 counts
as following a frame on the target.  A tracker that stays on a distractor for many frames makes one switch; one that
hops from a look-alike to another makes one switch per hop.

Boxes are 0-based ``(x, y, w, h)`` (:mod:`tf_lu.geometry.boxes`), centre ``x + (w - 1) / 2``.  Pure NumPy.
"""
import dataclasses

import numpy as np

from tf_lu.errors import check

RULE = ("on a distractor: the predicted box's centre lies inside a visible distractor's box and is strictly closer to "
        "that distractor's centre than to the target's; identity switch: a frame on a distractor whose previous frame "
        "was not on that same distractor")


@dataclasses.dataclass
class IdentitySwitches:
    """The switch count of one tracker on one sequence.

    ``identity`` holds, per frame, the index of the distractor the prediction is on, or -1; ``switch_frames`` the
    frames where a switch happens.
    """
    identity: np.ndarray
    switch_frames: list

    @property
    def frames(self):
        return int(len(self.identity))

    @property
    def switches(self):
        return len(self.switch_frames)

    @property
    def frames_on_distractor(self):
        return int(np.count_nonzero(self.identity >= 0))

    @property
    def fraction_on_distractor(self):
        return self.frames_on_distractor / self.frames if self.frames else 0.0

    def as_dict(self):
        """The numbers (not the per-frame identities) as plain JSON types."""
        return {"switches": self.switches, "switch_frames": list(self.switch_frames),
                "frames_on_distractor": self.frames_on_distractor,
                "fraction_on_distractor": float(self.fraction_on_distractor), "frames": self.frames}


def _centres(boxes):
    return boxes[..., :2] + (boxes[..., 2:] - 1.0) / 2.0


def _valid(boxes):
    """Rows that are finite with a positive width and height."""
    with np.errstate(invalid="ignore"):
        return np.all(np.isfinite(boxes), axis=-1) & (boxes[..., 2] > 0) & (boxes[..., 3] > 0)


def _as_boxes(boxes, ndim, what):
    boxes = np.asarray(boxes, dtype=np.float64)
    shape = "(N, 4)" if ndim == 2 else "(D, N, 4)"
    check(boxes.ndim == ndim and boxes.shape[-1] == 4, f"{what} must have shape {shape}, got {boxes.shape}")
    return boxes


def distractor_identity(target_boxes, distractor_boxes, predicted_boxes):
    """Per frame, the index of the distractor the prediction is on by the module's rule, or -1: an ``(N,)`` int
    array.  ``target_boxes`` and ``predicted_boxes`` are ``(N, 4)``, ``distractor_boxes`` ``(D, N, 4)``."""
    target = _as_boxes(target_boxes, 2, "target boxes")
    predicted = _as_boxes(predicted_boxes, 2, "predicted boxes")
    distractors = _as_boxes(distractor_boxes, 3, "distractor boxes")
    n = len(target)
    check(len(predicted) == n, f"{len(predicted)} predicted boxes for {n} target boxes")
    check(distractors.shape[1] == n, f"distractor boxes cover {distractors.shape[1]} frames, the target {n}")
    identity = np.full(n, -1, dtype=np.int64)
    if distractors.shape[0] == 0 or n == 0:
        return identity
    centre = _centres(predicted)                                                        # (N, 2)
    to_target = np.where(_valid(target), np.linalg.norm(centre - _centres(target), axis=-1), np.inf)
    offset = centre[None] - _centres(distractors)                                       # (D, N, 2)
    to_distractor = np.linalg.norm(offset, axis=-1)                                     # (D, N)
    with np.errstate(invalid="ignore"):
        inside = np.all(np.abs(offset) <= distractors[..., 2:] / 2.0, axis=-1)
        on = _valid(distractors) & _valid(predicted)[None] & inside & (to_distractor < to_target[None])
    nearest = np.argmin(np.where(on, to_distractor, np.inf), axis=0)
    hit = on.any(axis=0)
    identity[hit] = nearest[hit]
    return identity


def count_identity_switches(target_boxes, distractor_boxes, predicted_boxes):
    """The :class:`IdentitySwitches` of one tracker's ``predicted_boxes`` on one sequence (shapes as in
    :func:`distractor_identity`)."""
    identity = distractor_identity(target_boxes, distractor_boxes, predicted_boxes)
    previous = np.concatenate([[-1], identity[:-1]])
    switch_frames = [int(t) for t in np.flatnonzero((identity >= 0) & (identity != previous))]
    return IdentitySwitches(identity, switch_frames)


def total(results):
    """Totals over sequences of ``{name: IdentitySwitches}``: switches, frames on a distractor, their fraction of all
    frames, and the sequences with at least one switch."""
    frames = sum(r.frames for r in results.values())
    on = sum(r.frames_on_distractor for r in results.values())
    return {"switches": int(sum(r.switches for r in results.values())), "frames_on_distractor": int(on),
            "fraction_on_distractor": float(on / frames) if frames else 0.0, "frames": int(frames),
            "sequences_with_switch": int(sum(r.switches > 0 for r in results.values()))}
