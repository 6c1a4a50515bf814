"""Which tracks and frames a curation uses: trimming, the track filters and the usable frames (see the package
docstring), and cutting a track down to some of its frames."""
import numpy as np

from tf_lu.data.datasets import Track
from tf_lu.data.sequences import Sequence


def trim_track(track):
    """The track from its first to its last visible frame (unchanged when no frame is visible)."""
    visible = np.flatnonzero(~track.absent)
    if len(track.boxes) != len(track) or not len(visible) or (visible[0] == 0 and visible[-1] == len(track) - 1):
        return track
    a, b = visible[0], visible[-1] + 1
    return Track(name=track.name, frames=list(track.frames[a:b]), boxes=track.boxes[a:b], loader=track.loader,
                 absent=track.absent[a:b], dataset=getattr(track, "dataset", ""),
                 occluded=None if getattr(track, "occluded", None) is None else track.occluded[a:b])


def usable_frames(track, settings):
    """Visible frames whose own box passes the size and aspect filters."""
    boxes = track.boxes
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.minimum(boxes[:, 2], boxes[:, 3])
        aspect = boxes[:, 2] / boxes[:, 3]
        return (~track.absent & (small >= settings.min_size)
                & (aspect >= settings.aspect[0]) & (aspect <= settings.aspect[1]))


def filter_reason(track, settings):
    """Why a (trimmed) track is left out, or ``None`` to keep it (see the package docstring)."""
    if len(track.boxes) != len(track):
        return "no_annotation"
    visible = ~track.absent
    if visible.sum() < 2:
        return "too_few_visible"
    if visible.mean() < settings.min_visible:
        return "mostly_absent"
    boxes = track.boxes[visible]
    if np.median(np.minimum(boxes[:, 2], boxes[:, 3])) < settings.min_size:
        return "too_small"
    aspect = np.median(boxes[:, 2] / boxes[:, 3])
    if not settings.aspect[0] <= aspect <= settings.aspect[1]:
        return "bad_aspect"
    if usable_frames(track, settings).sum() < 2:
        return "too_few_usable"
    return None


def sub_sequence(track, indices):
    """The frames ``indices`` of ``track`` as a :class:`Sequence` (to crop only the frames a stage uses)."""
    return Sequence(name=track.name, frames=[track.frames[k] for k in indices], boxes=track.boxes[indices],
                    loader=track.loader)
