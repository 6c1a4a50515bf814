"""LaSOT: ``groundtruth.txt`` is 1-based ``x,y,w,h``; absent = ``full_occlusion`` or ``out_of_view``
(one comma-separated line of flags each)."""
import os

from tf_lu.data.datasets.common import (Track, Video, check_count, frame_files, invalid_boxes, read_boxes, read_flags,
                                        read_list, require_dir, subdirs)
from tf_lu.errors import TfLuError


LASOT_SPLIT_FILES = {"train": ("training_set.txt", "train.txt"), "test": ("testing_set.txt", "test.txt")}


def lasot_videos(root, split=None):
    """LaSOT videos ``<class>/<class>-N``; ``split`` ``train``/``test`` needs LaSOT's ``training_set.txt`` /
    ``testing_set.txt`` in ``root`` (one video name per line); no split = every video."""
    require_dir(root, "LaSOT folder")
    if split:
        if split not in LASOT_SPLIT_FILES:
            raise TfLuError(f"LaSOT split must be train or test, got {split!r}")
        lists = [os.path.join(root, n) for n in LASOT_SPLIT_FILES[split] if os.path.isfile(os.path.join(root, n))]
        if not lists:
            raise TfLuError(f"{root}: LaSOT split {split!r} needs {' or '.join(LASOT_SPLIT_FILES[split])}")
        names = read_list(lists[0])
    else:
        names = [f"{c}/{v}" for c in subdirs(root) for v in subdirs(os.path.join(root, c))
                 if os.path.isdir(os.path.join(root, c, v, "img"))]
    videos = []
    for name in names:
        name = name.replace("\\", "/")
        if "/" not in name:
            name = f"{name.rsplit('-', 1)[0]}/{name}"
        folder = os.path.join(root, *name.split("/"))
        if not os.path.isdir(folder):
            raise TfLuError(f"LaSOT video not found: {folder}")
        videos.append(Video("lasot", name, os.path.join(folder, "img"), os.path.join(folder, "groundtruth.txt")))
    if not videos:
        raise TfLuError(f"{root}: no LaSOT videos (<class>/<class>-N/img/ + groundtruth.txt)")
    return videos


def lasot_tracks(video):
    frames = frame_files(video.frames)
    boxes = read_boxes(video.annotation, one_based=True)
    check_count(video.annotation, len(boxes), frames, video.frames)
    absent = invalid_boxes(boxes)
    folder = os.path.dirname(video.annotation)
    for name in ("full_occlusion.txt", "out_of_view.txt"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            absent |= read_flags(path, len(frames)) == 1
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=absent, dataset="lasot")]
