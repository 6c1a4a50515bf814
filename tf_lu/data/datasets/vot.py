"""VOT: ``groundtruth.txt`` holds 1-based ``x,y,w,h`` rectangles or ``x1,y1,...,x4,y4`` polygons; a polygon becomes
its axis-aligned min/max rectangle, ``x = min(xs) - 1``, ``w = max(xs) - min(xs)``."""
import os

import numpy as np

from tf_lu.data.datasets.common import (Track, Video, check_count, frame_files, invalid_boxes, listed_or_subdirs,
                                        parse_number_rows, require_dir, subdirs)
from tf_lu.errors import TfLuError


def vot_videos(root, split=None):
    """VOT sequences listed in ``list.txt`` (or every sub-folder with a ``groundtruth.txt``)."""
    require_dir(root, "VOT folder")
    if os.path.isfile(os.path.join(root, "list.txt")):
        names = listed_or_subdirs(root)
    else:
        names = [n for n in subdirs(root) if os.path.isfile(os.path.join(root, n, "groundtruth.txt"))]
    if not names:
        raise TfLuError(f"{root}: no VOT sequences (<seq>/color/*.jpg or <seq>/*.jpg + groundtruth.txt)")
    videos = []
    for name in names:
        folder = os.path.join(root, name)
        color = os.path.join(folder, "color")
        videos.append(Video("vot", name, color if os.path.isdir(color) else folder,
                            os.path.join(folder, "groundtruth.txt")))
    return videos


def vot_boxes(path, text=None):
    """VOT ground truth (1-based rectangles or 8-value polygons) -> 0-based ``(N, 4)`` axis-aligned boxes."""
    rows = parse_number_rows(path, (4, 8), text=text)
    boxes = np.empty((len(rows), 4))
    for k, row in enumerate(rows):
        if len(row) == 4:
            boxes[k] = [row[0] - 1.0, row[1] - 1.0, row[2], row[3]]
        else:
            xs, ys = row[0::2], row[1::2]
            boxes[k] = [xs.min() - 1.0, ys.min() - 1.0, xs.max() - xs.min(), ys.max() - ys.min()]
    return boxes


def vot_tracks(video):
    frames = frame_files(video.frames)
    boxes = vot_boxes(video.annotation)
    check_count(video.annotation, len(boxes), frames, video.frames)
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=invalid_boxes(boxes), dataset="vot")]
