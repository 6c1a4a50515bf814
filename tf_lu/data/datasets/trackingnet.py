"""TrackingNet: ``<CHUNK>/anno/<video>.txt`` is 0-based ``x,y,w,h``."""
import os
import re

from tf_lu.data.datasets.common import Track, Video, frames_and_boxes, invalid_boxes, require_dir, subdirs
from tf_lu.errors import TfLuError


def trackingnet_videos(root, split=None):
    """TrackingNet videos ``<CHUNK>/frames/<video>/`` with ``<CHUNK>/anno/<video>.txt``.  ``split``: ``None`` or
    ``train`` = every ``TRAIN_k`` chunk; ``test`` = ``TEST``; ``"0,3"`` or ``"TRAIN_3"`` = those chunks."""
    require_dir(root, "TrackingNet folder")
    chunks = [c for c in subdirs(root) if os.path.isdir(os.path.join(root, c, "frames"))]
    if split in (None, "train"):
        chosen = [c for c in chunks if c.upper().startswith("TRAIN")]
    elif split == "test":
        chosen = [c for c in chunks if c.upper().startswith("TEST")]
    else:
        wanted = [s.strip() for s in str(split).split(",") if s.strip()]
        wanted = [f"TRAIN_{s}" if s.isdigit() else s for s in wanted]
        missing = [w for w in wanted if w not in chunks]
        if missing:
            raise TfLuError(f"{root}: TrackingNet chunk(s) not found: {', '.join(missing)}")
        chosen = wanted
    chosen = sorted(chosen, key=lambda c: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", c)])
    videos = []
    for chunk in chosen:
        for name in subdirs(os.path.join(root, chunk, "frames")):
            videos.append(Video("trackingnet", f"{chunk}/{name}", os.path.join(root, chunk, "frames", name),
                                os.path.join(root, chunk, "anno", f"{name}.txt")))
    if not videos:
        raise TfLuError(f"{root}: no TrackingNet videos (TRAIN_k/frames/<video>/ + TRAIN_k/anno/<video>.txt)")
    return videos


def trackingnet_tracks(video):
    frames, boxes, first_only = frames_and_boxes(video, "trackingnet")
    if first_only:
        return first_only
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=invalid_boxes(boxes), dataset="trackingnet")]
