"""VOT: ``groundtruth.txt`` holds ``x,y,w,h`` rectangles or ``x1,y1,...,x4,y4`` polygons, read by the one VOT
ground-truth reader (:func:`tf_lu.data.vot_sequences.parse_vot_groundtruth`, coordinates 0-based as given); a
polygon becomes its axis-aligned bounding box."""
import os

from tf_lu.data.datasets.common import (Track, Video, check_count, frame_files, invalid_boxes, listed_or_subdirs,
                                        read_annotation, require_dir, subdirs)
from tf_lu.data.vot_sequences import parse_vot_groundtruth, region_boxes
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
    """VOT ground truth (rectangles or 8-value polygons) -> ``(N, 4)`` axis-aligned boxes (NaN rows: absent)."""
    return region_boxes(parse_vot_groundtruth(read_annotation(path) if text is None else text, path))


def vot_tracks(video):
    frames = frame_files(video.frames)
    boxes = vot_boxes(video.annotation)
    check_count(video.annotation, len(boxes), frames, video.frames)
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=invalid_boxes(boxes), dataset="vot")]
