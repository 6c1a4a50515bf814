"""GOT-10k: ``groundtruth.txt`` is 0-based ``x,y,w,h``.  A frame is absent when ``absence.label`` says 1 or
``cover.label`` says 0 (no part visible), as in the GOT-10k toolkit; ``0 < cover < 8`` is ``occluded``."""
import os

import numpy as np

from tf_lu.data.datasets.common import (Track, Video, frames_and_boxes, invalid_boxes, listed_or_subdirs, read_flags,
                                        require_dir)
from tf_lu.errors import TfLuError


def got10k_videos(root, split=None):
    """GOT-10k videos of ``split`` (``train``, ``val`` or ``test``; default ``train``) from ``<split>/list.txt``
    (or the sub-folders when there is no list).  ``root`` may also be the split folder itself."""
    split = split or "train"
    folder = os.path.join(root, split)
    if not os.path.isdir(folder) and os.path.basename(os.path.normpath(root)) == split:
        folder = root
    require_dir(folder, f"GOT-10k {split} folder")
    names = listed_or_subdirs(folder)
    if not names:
        raise TfLuError(f"{folder}: no GOT-10k videos")
    return [Video("got10k", n, os.path.join(folder, n), os.path.join(folder, n, "groundtruth.txt")) for n in names]


def got10k_tracks(video):
    frames, boxes, first_only = frames_and_boxes(video, "got10k")
    if first_only:
        return first_only
    absent = invalid_boxes(boxes)
    occluded = np.zeros(len(frames), bool)
    absence_path = os.path.join(video.frames, "absence.label")
    if os.path.isfile(absence_path):
        absent |= read_flags(absence_path, len(frames), per_line=True) == 1
    cover_path = os.path.join(video.frames, "cover.label")
    if os.path.isfile(cover_path):
        cover = read_flags(cover_path, len(frames), per_line=True)
        absent |= cover == 0
        occluded = (cover > 0) & (cover < 8)
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=absent, dataset="got10k", occluded=occluded)]
