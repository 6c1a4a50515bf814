"""VOT sequences: folders in the VOT layout, and our OTB folders, as sequences that keep the target's polygon.

VOT layout (one dataset root)::

    list.txt                      sequence folder names, one a line (optional: without it every sequence sub-folder)
    <seq>/groundtruth.txt         one region a line, comma separated: x,y,w,h or an 8-value polygon x1,y1,...,x4,y4
    <seq>/color/00000001.jpg ...  frames (or directly in <seq>/)

VOT coordinates are taken as they are (0-based, like ours); OTB folders (``img/`` + ``groundtruth_rect.txt``,
1-based) are read by :func:`tf_lu.data.sequences.read_otb_sequence`.  A :class:`VotSequence` keeps each frame's
region as an 8-value polygon (a rectangle becomes its four corners) for scoring, and its ``boxes`` are the polygons'
axis-aligned bounding boxes, which trackers are initialised with.  A row of NaN marks a frame without a target.
"""
import dataclasses
import os
from typing import Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

from tf_lu.data.sequences import (Sequence, is_otb_folder, list_images, parse_number_rows, read_otb_sequence,
                                  read_text)
from tf_lu.errors import TfLuError
from tf_lu.geometry.polygons import box_to_polygon, polygon_problem, polygon_to_box

GROUNDTRUTH = "groundtruth.txt"
LIST_FILE = "list.txt"


@dataclasses.dataclass
class VotSequence(Sequence):
    """A :class:`~tf_lu.data.sequences.Sequence` with ``polygons`` ``(N, 8)``: the region each frame is scored
    against (NaN rows where the target is absent).  Without polygons, the boxes' corners are used."""
    polygons: Optional[np.ndarray] = None

    def __post_init__(self):
        super().__post_init__()
        if self.polygons is None:
            self.polygons = box_to_polygon(self.boxes)
        self.polygons = np.asarray(self.polygons, dtype=np.float64).reshape(-1, 8)


def sequence_polygons(sequence):
    """The scoring polygons of any sequence: a :class:`VotSequence`'s own, otherwise its boxes' corners (NaN for
    absent or degenerate boxes)."""
    polygons = getattr(sequence, "polygons", None)
    if polygons is not None:
        return polygons
    boxes = np.asarray(sequence.boxes, dtype=np.float64).reshape(-1, 4)
    usable = np.all(np.isfinite(boxes), axis=1) & (boxes[:, 2] > 0) & (boxes[:, 3] > 0) & ~sequence.absent
    return np.where(usable[:, None], box_to_polygon(boxes), np.nan)


def frame_size(sequence):
    """``(width, height)`` of the sequence's first frame (the header only, for image files)."""
    item = sequence.frames[0]
    if sequence.loader is None and isinstance(item, (str, os.PathLike)):
        try:
            with Image.open(item) as image:
                return image.size
        except FileNotFoundError:
            raise TfLuError(f"missing frame: {item}") from None
        except (UnidentifiedImageError, OSError) as exc:
            raise TfLuError(f"unreadable frame: {item} ({exc.__class__.__name__})") from None
    height, width = np.shape(sequence.frame(0))[:2]
    return width, height


def _region_polygon(row, source, line):
    """One groundtruth row (4 or 8 values) as an 8-value polygon; NaN for an absent target."""
    if np.all(np.isnan(row)) or (row.size == 4 and np.all(row == 0)):
        return np.full(8, np.nan)
    if row.size == 4:
        if not np.all(np.isfinite(row)) or row[2] <= 0 or row[3] <= 0:
            raise TfLuError(f"{source}, line {line}: bad rectangle {row.tolist()} (needs finite x,y and w,h > 0)")
        return box_to_polygon(row)
    problem = polygon_problem(row)
    if problem:
        raise TfLuError(f"{source}, line {line}: bad polygon {row.tolist()}: {problem}")
    return row


def parse_vot_groundtruth(text, source):
    """``(N, 8)`` polygons of a VOT ``groundtruth.txt`` text; a malformed line is a :class:`TfLuError` naming
    ``source`` and the line."""
    rows = parse_number_rows(text, source, counts=(4, 8))
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return np.stack([_region_polygon(row, source, line) for row, line in zip(rows, lines)])


def _frame_folder(folder):
    color = os.path.join(folder, "color")
    return color if os.path.isdir(color) else folder


def is_vot_folder(folder):
    return os.path.isfile(os.path.join(folder, GROUNDTRUTH))


def read_vot_sequence(folder, name=None):
    """One sequence folder: VOT layout (``groundtruth.txt``) or OTB layout (``img/`` + ``groundtruth_rect.txt``)."""
    name = name or os.path.basename(os.path.normpath(folder))
    if not is_vot_folder(folder):
        if is_otb_folder(folder):
            otb = read_otb_sequence(folder, name)
            return VotSequence(name=name, frames=otb.frames, boxes=otb.boxes, absent=otb.absent,
                               polygons=sequence_polygons(otb))
        raise TfLuError(f"{folder}: not a sequence folder (expected {GROUNDTRUTH}, or img/ + groundtruth_rect.txt)")
    source = os.path.join(folder, GROUNDTRUTH)
    polygons = parse_vot_groundtruth(read_text(source, "groundtruth"), source)
    image_dir = _frame_folder(folder)
    frames = list_images(image_dir)
    if not frames:
        raise TfLuError(f"{image_dir}: no image files")
    if len(polygons) != len(frames):
        raise TfLuError(f"{source}: {len(polygons)} regions but {len(frames)} frames in {image_dir}")
    if not np.all(np.isfinite(polygons[0])):
        raise TfLuError(f"{source}, line 1: the first region must be present")
    return VotSequence(name=name, frames=frames, boxes=polygon_to_box(polygons), polygons=polygons)


def _listed_names(root):
    """Sequence names from ``root/list.txt`` in order; a listed name without a sequence folder is an error."""
    path = os.path.join(root, LIST_FILE)
    names = []
    for number, line in enumerate(read_text(path, "sequence list").splitlines(), start=1):
        name = line.strip()
        if not name:
            continue
        folder = os.path.join(root, name)
        if not (is_vot_folder(folder) or is_otb_folder(folder)):
            raise TfLuError(f"{path}, line {number}: no sequence folder {name!r} in {root}")
        names.append(name)
    if not names:
        raise TfLuError(f"{path}: no sequence names")
    return names


def read_vot_dataset(root, names=None):
    """The sequences of a dataset root: those in ``list.txt`` when there is one, else every sub-folder in VOT or OTB
    layout (sorted); ``names`` picks some of them."""
    if not os.path.isdir(root):
        raise TfLuError(f"data folder not found: {root}")
    if os.path.isfile(os.path.join(root, LIST_FILE)):
        available = _listed_names(root)
    else:
        available = sorted(n for n in os.listdir(root)
                           if is_vot_folder(os.path.join(root, n)) or is_otb_folder(os.path.join(root, n)))
    if not available:
        raise TfLuError(f"{root}: no sequences (sub-folders with {GROUNDTRUTH}, or img/ + groundtruth_rect.txt)")
    if names:
        missing = [n for n in names if n not in available]
        if missing:
            raise TfLuError(f"{root}: no sequence named {', '.join(missing)}")
        available = list(names)
    return [read_vot_sequence(os.path.join(root, n), name=n) for n in available]
