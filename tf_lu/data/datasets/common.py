"""What the dataset readers share: :class:`Track` and :class:`Video`, and the parsing of annotation files (rows of
numbers, per-frame flags, name lists) with errors that name the file and line."""
import dataclasses
import os
import re
from typing import Optional, Tuple

import numpy as np

from tf_lu.data.box_files import parse_number_rows, read_text
from tf_lu.data.sequences import Sequence, list_images
from tf_lu.errors import TfLuError


@dataclasses.dataclass
class Track(Sequence):
    """A :class:`Sequence` from a dataset: its ``dataset`` name and optional per-frame ``occluded`` flags."""
    dataset: str = ""
    occluded: Optional[np.ndarray] = None

    def __post_init__(self):
        super().__post_init__()
        if len(self.absent) == len(self.boxes):
            self.boxes = np.where(self.absent[:, None], np.nan, self.boxes)
        if self.occluded is not None:
            self.occluded = np.asarray(self.occluded, dtype=bool)


@dataclasses.dataclass(frozen=True)
class Video:
    """One video of a dataset, cheap to list and to send to a worker process.

    ``name`` is unique within the dataset; ``frames`` is the frame folder and ``annotation`` the annotation file or
    folder; ``extra`` holds dataset-specific paths (``(key, path)`` pairs)."""
    dataset: str
    name: str
    frames: str
    annotation: str
    extra: Tuple[Tuple[str, str], ...] = ()

    def get(self, key, default=None):
        return dict(self.extra).get(key, default)


def read_annotation(path, what="annotation"):
    """The text of an annotation file (a missing or unreadable one is a TfLuError)."""
    return read_text(path, what)


def read_boxes(path, one_based=False):
    """An ``x,y,w,h`` file (one row per frame) -> 0-based ``(N, 4)`` array."""
    boxes = np.stack(parse_number_rows(read_annotation(path), path, (4,)))
    if one_based:
        boxes[:, :2] -= 1.0
    return boxes


def read_flags(path, expected=None, per_line=False):
    """0/1 (or small integer) flags, one per frame: either one comma-separated line (LaSOT) or one per line
    (GOT-10k).  Returns an int array; a count different from ``expected`` is a :class:`TfLuError`."""
    text = read_annotation(path)
    values = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p for p in re.split(r"[,\t ]+", line.strip()) if p]
        if per_line and len(parts) > 1:
            raise TfLuError(f"{path}, line {number}: expected one value per line, got {len(parts)}")
        for part in parts:
            try:
                values.append(int(float(part)))
            except ValueError:
                raise TfLuError(f"{path}, line {number}: not a number: {part[:20]!r}") from None
    if expected is not None and len(values) != expected:
        raise TfLuError(f"{path}: {len(values)} values but {expected} frames")
    return np.array(values, dtype=np.int64)


def invalid_boxes(boxes):
    """Rows that are not finite or have no positive size."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    with np.errstate(invalid="ignore"):
        return ~np.all(np.isfinite(boxes), axis=1) | ~(boxes[:, 2] > 0) | ~(boxes[:, 3] > 0)


def check_count(path, count, frames, folder):
    """A TfLuError unless the annotation ``path`` holds one box per frame."""
    if count != len(frames):
        raise TfLuError(f"{path}: {count} boxes but {len(frames)} frames in {folder}")


def frame_files(folder):
    """The image files of ``folder`` in natural order; none is a TfLuError."""
    frames = list_images(folder)
    if not frames:
        raise TfLuError(f"{folder}: no image files")
    return frames


def require_dir(path, what):
    """``path`` when it is a folder, else a TfLuError naming ``what``."""
    if not os.path.isdir(path):
        raise TfLuError(f"{what} not found: {path}")
    return path


def subdirs(path):
    """The visible sub-folders of ``path``, sorted."""
    return sorted(n for n in os.listdir(path) if not n.startswith(".") and os.path.isdir(os.path.join(path, n)))


def read_list(path):
    """Names listed one per line (blank lines and ``#`` comments skipped)."""
    return [line.strip() for line in read_annotation(path, "list").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def listed_or_subdirs(folder, list_name="list.txt"):
    """The video folders named in ``folder/list.txt`` (each must exist), or every sub-folder when there is no list."""
    list_path = os.path.join(folder, list_name)
    if os.path.isfile(list_path):
        names = read_list(list_path)
        missing = [n for n in names if not os.path.isdir(os.path.join(folder, n))]
        if missing:
            raise TfLuError(f"{list_path}: listed folder(s) not found: {', '.join(missing[:5])}"
                            + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""))
        return names
    return subdirs(folder)


def frames_and_boxes(video, dataset):
    """Frames and 0-based boxes of a video whose box file has one row per frame.  A test split with only the
    first box public comes back as a one-track list in the third slot (then nothing else needs checking)."""
    frames = frame_files(video.frames)
    boxes = read_boxes(video.annotation)
    if len(boxes) == 1 and len(frames) > 1:
        return frames, boxes, [Track(name=video.name, frames=frames, boxes=boxes, absent=np.zeros(1, bool),
                                     dataset=dataset)]
    check_count(video.annotation, len(boxes), frames, video.frames)
    return frames, boxes, None
