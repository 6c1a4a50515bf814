"""Training pairs that teach the extractor to tell the target from look-alikes (after DaSiamRPN's semantic
negatives, Zhu et al. 2018; docs/RESULTS.md, "An extractor trained against look-alikes"):

- :func:`negative_pair`: the exemplar of one object and the search crop of *another* (of the same class with
  probability ``same_class``); every cell of its label map is negative.
- :func:`lookalike_pair`: a real pair of one object whose search crop gets 1..``max_distractors`` look-alikes pasted
  beside the target: another instance of its class from another video, or the same object from a distant frame.
  The label stays centred on the true target, so a peak on a look-alike costs loss.

Classes come from the sequence names (:mod:`tf_lu.data.pairs.object_classes`).
"""
import numpy as np

from tf_lu.data.pairs.composite import cutout, frame_pair, paste_patch
from tf_lu.data.pairs.crop_tracks import CROP_SIZE, EXEMPLAR_MARGIN, center_window
from tf_lu.data.pairs.object_classes import track_class, tracks_by_class


class ClassIndex:
    """The crop tracks grouped by object class, for drawing other instances of a track's class."""

    def __init__(self, tracks):
        self.tracks = tracks
        self.groups = tracks_by_class(tracks)
        self.usable = [i for i, t in enumerate(tracks) if len(t.visible)]       # tracks with a visible frame

    def other(self, track, rng, same_class):
        """A track other than ``track`` (by name) with a visible frame: of its class with probability
        ``same_class`` when its class has another such video, else of any class; None when there is none."""
        usable = set(self.usable)
        members = [i for i in self.groups.get(track_class(track), [])
                   if i in usable and self.tracks[i].name != track.name]
        if not members or rng.random() >= same_class:
            members = [i for i in self.usable if self.tracks[i].name != track.name]
        return self.tracks[members[rng.integers(len(members))]] if members else None


def negative_pair(tracks, index, rng, same_class=0.5):
    """``(exemplar 143, search 255, source)``: exemplar and search from two different objects."""
    track, _, i, _ = frame_pair(tracks, rng, max_gap=1, min_visible=1)
    other = index.other(track, rng, same_class)
    if other is None:
        raise ValueError("negative pairs need at least two sequences")
    j = other.visible[rng.integers(len(other.visible))]
    return center_window(track.crops[i], EXEMPLAR_MARGIN), other.crops[j], f"{track.name}-vs-{other.name}"


def _distant_frame(visible, j, min_gap, rng):
    far = visible[np.abs(visible - j) >= min_gap]
    pool = far if len(far) else visible
    return pool[rng.integers(len(pool))]


def lookalike_pair(tracks, index, rng, max_gap=100, max_distractors=2, same_class=0.5):
    """``(exemplar 143, search 255, source)``: a real pair with look-alikes pasted beside the target in the search
    crop, 0.8-1.6 target sizes (30-110 px) from its centre, at the target's size x0.8-1.2 and brightness x0.8-1.2."""
    track, visible, i, j = frame_pair(tracks, rng, max_gap, min_visible=2)
    search = track.crops[j].astype(np.float32)
    centre = (CROP_SIZE - 1) / 2.0
    tw, th = track.boxes[j][2:]
    for _ in range(int(rng.integers(1, max_distractors + 1))):
        if rng.random() < 0.5:
            source, k = track, _distant_frame(visible, j, max_gap // 2, rng)
        else:
            source = index.other(track, rng, same_class)
            if source is None:
                continue
            k = source.visible[rng.integers(len(source.visible))]
        patch, alpha = cutout(source, k, rng)
        sw, sh = source.boxes[k][2:]
        scale = np.sqrt((tw * th) / max(sw * sh, 1.0)) * rng.uniform(0.8, 1.2)
        angle, radius = rng.uniform(0, 2 * np.pi), np.clip(max(tw, th) * rng.uniform(0.8, 1.6), 30, 110)
        paste_patch(search, patch, alpha, centre + radius * np.cos(angle), centre + radius * np.sin(angle),
                    scale, rng.uniform(0.8, 1.2))
    search = np.clip(search, 0, 255).astype(np.uint8)
    return center_window(track.crops[i], EXEMPLAR_MARGIN), search, f"{track.name}+lookalike"
