"""VOT sequences: folders in the VOT layout, and our OTB folders, as sequences that keep the target's region.

VOT layout (one dataset root)::

    list.txt                      sequence folder names, one a line (optional: without it every sequence sub-folder)
    <seq>/groundtruth.txt         one region a line, comma separated: x,y,w,h or an 8-value polygon x1,y1,...,x4,y4
    <seq>/color/00000001.jpg ...  frames (or directly in <seq>/)

:func:`parse_vot_groundtruth` is the one reader of ``groundtruth.txt`` (the tracking benchmark's and the dataset
curation's, :mod:`tf_lu.data.datasets.vot`).  VOT coordinates are taken as they are (0-based, like ours and like the
VOT toolkit's); OTB folders (``img/`` + ``groundtruth_rect.txt``, 1-based) are read by
:func:`tf_lu.data.sequences.read_otb_sequence`.  A :class:`VotSequence` keeps each frame's region as it was given, a
box (4 values) or a polygon (8 values), because VOT scores the two kinds differently
(:mod:`tf_lu.geometry.raster`); its ``boxes`` are the regions' axis-aligned bounding boxes, which trackers are
initialised with.  A box of NaN marks a frame without a target.
"""
import dataclasses
import os
from typing import List, Optional

import numpy as np
from PIL import Image, UnidentifiedImageError

from tf_lu.data.box_files import parse_number_rows, read_text
from tf_lu.data.sequences import Sequence, is_otb_folder, list_images, read_otb_sequence, require_data_folder
from tf_lu.errors import TfLuError
from tf_lu.geometry.polygons import polygon_problem, polygon_to_box

GROUNDTRUTH = "groundtruth.txt"
LIST_FILE = "list.txt"
ABSENT = np.full(4, np.nan)


@dataclasses.dataclass
class VotSequence(Sequence):
    """A :class:`~tf_lu.data.sequences.Sequence` with ``regions``: the region each frame is scored against, a box
    ``(4,)`` or a polygon ``(8,)`` (a box of NaN where the target is absent).  Without regions, the boxes are."""
    regions: Optional[List[np.ndarray]] = None

    def __post_init__(self):
        super().__post_init__()
        if self.regions is None:
            self.regions = box_regions(self)
        self.regions = [np.asarray(region, dtype=np.float64).reshape(-1) for region in self.regions]

    def head(self, count):
        return dataclasses.replace(super().head(count), regions=self.regions[:count])


def box_regions(sequence):
    """A sequence's boxes as scoring regions: NaN for absent or degenerate boxes."""
    boxes = np.asarray(sequence.boxes, dtype=np.float64).reshape(-1, 4)
    usable = np.all(np.isfinite(boxes), axis=1) & (boxes[:, 2] > 0) & (boxes[:, 3] > 0) & ~sequence.absent
    return [box if ok else ABSENT.copy() for box, ok in zip(boxes, usable)]


def sequence_regions(sequence):
    """The scoring regions of any sequence: a :class:`VotSequence`'s own, otherwise its boxes
    (:func:`box_regions`)."""
    regions = getattr(sequence, "regions", None)
    return regions if regions is not None else box_regions(sequence)


def region_box(region):
    """The axis-aligned bounding box ``(x, y, w, h)`` of a region (a box is its own)."""
    region = np.asarray(region, dtype=np.float64).reshape(-1)
    return region.copy() if region.size == 4 else polygon_to_box(region)


def region_boxes(regions):
    """``(N, 4)`` bounding boxes of a list of regions (NaN rows where the target is absent)."""
    return np.stack([region_box(region) for region in regions]).reshape(-1, 4)


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


def _region(row, source, line):
    """One groundtruth row (4 or 8 values) as a region; a box of NaN for an absent target (NaN or 0,0,0,0)."""
    if np.all(np.isnan(row)) or (row.size == 4 and np.all(row == 0)):
        return ABSENT.copy()
    if row.size == 4:
        if not np.all(np.isfinite(row)) or row[2] <= 0 or row[3] <= 0:
            raise TfLuError(f"{source}, line {line}: bad rectangle {row.tolist()} (needs finite x,y and w,h > 0)")
        return row
    problem = polygon_problem(row)
    if problem:
        raise TfLuError(f"{source}, line {line}: bad polygon {row.tolist()}: {problem}")
    return row


def parse_vot_groundtruth(text, source):
    """The regions of a VOT ``groundtruth.txt`` text, one per frame (see the module doc); a malformed line is a
    :class:`TfLuError` naming ``source`` and the line."""
    rows = parse_number_rows(text, source, counts=(4, 8))
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    return [_region(row, source, line) for row, line in zip(rows, lines)]


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
            return VotSequence(name=name, frames=otb.frames, boxes=otb.boxes, absent=otb.absent)
        raise TfLuError(f"{folder}: not a sequence folder (expected {GROUNDTRUTH}, or img/ + groundtruth_rect.txt)")
    source = os.path.join(folder, GROUNDTRUTH)
    regions = parse_vot_groundtruth(read_text(source, "groundtruth"), source)
    image_dir = _frame_folder(folder)
    frames = list_images(image_dir)
    if not frames:
        raise TfLuError(f"{image_dir}: no image files")
    if len(regions) != len(frames):
        raise TfLuError(f"{source}: {len(regions)} regions but {len(frames)} frames in {image_dir}")
    if not np.all(np.isfinite(regions[0])):
        raise TfLuError(f"{source}, line 1: the first region must be present")
    return VotSequence(name=name, frames=frames, boxes=region_boxes(regions), regions=regions)


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
    require_data_folder(root)
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
