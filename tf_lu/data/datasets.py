"""Readers for the large tracking datasets: ImageNet VID 2015, GOT-10k, LaSOT, TrackingNet, VOT and OTB.

Every reader yields tracks as :class:`Track` objects, a :class:`~tf_lu.data.sequences.Sequence` with lazy frame
paths, 0-based ``(x, y, w, h)`` boxes (see :mod:`tf_lu.geometry.boxes`; NaN rows where the target is absent) and ``absent``
flags, plus the dataset's name and, where the dataset has them, per-frame ``occluded`` flags.

Readers work in two steps so that a curation can spread a dataset over worker processes cheaply:
``reader.videos(root, split)`` lists the videos (a directory listing, no annotation is parsed) as small picklable
:class:`Video` records, and ``reader.tracks(video)`` parses one video's annotations into its tracks (several for a
VID snippet, one for the other datasets).  :func:`read_dataset` chains both::

    for track in read_dataset("got10k", "/data/GOT-10k", split="train", limit=10):
        print(track.name, len(track), track.absent.sum())

Conventions per dataset (all converted to our 0-based pixel-index boxes):

* **VID** -- ``<xmin> <ymin> <xmax> <ymax>`` are 0-based, inclusive pixel indices, so ``x = xmin``, ``y = ymin``,
  ``w = xmax - xmin + 1``, ``h = ymax - ymin + 1``.  One track per (snippet, ``trackid``) spanning the frames from
  its first to its last appearance; frames inside that span where the id is missing are absent (gaps are kept).
  ``<occluded>1`` becomes ``occluded`` (the target is still visible).
* **GOT-10k** -- ``groundtruth.txt`` is 0-based ``x,y,w,h``.  A frame is absent when ``absence.label`` says 1 or
  ``cover.label`` says 0 (no part visible), as in the GOT-10k toolkit; ``0 < cover < 8`` is ``occluded``.
* **LaSOT** -- ``groundtruth.txt`` is 1-based ``x,y,w,h``; absent = ``full_occlusion`` or ``out_of_view``.
* **TrackingNet** -- ``anno/<video>.txt`` is 0-based ``x,y,w,h``.
* **VOT** -- ``groundtruth.txt`` holds 1-based ``x,y,w,h`` rectangles or ``x1,y1,...,x4,y4`` polygons; a polygon
  becomes its axis-aligned min/max rectangle, ``x = min(xs) - 1``, ``w = max(xs) - min(xs)``.
* **OTB** -- 1-based ``groundtruth_rect.txt`` through :func:`tf_lu.data.sequences.read_otb_sequence`.

In every dataset a box with ``w <= 0`` or ``h <= 0`` (or non-finite values) is absent too.  A corrupt annotation
(malformed XML, a wrong number of values, a count that does not match the frames) is a :class:`TfLuError` naming the
file and, where there is one, the line.
"""
import dataclasses
import os
import re
import xml.etree.ElementTree as ElementTree
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np

from tf_lu.data.box_files import parse_number_rows as _parse_rows, read_text
from tf_lu.data.sequences import Sequence, is_otb_folder, list_images, read_otb_sequence
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


# --------------------------------------------------------------------------------------------------------- parsing

def _read_text(path, what="annotation"):
    return read_text(path, what)


def parse_number_rows(path, counts=(4,), text=None):
    """Rows of numbers from ``path`` (or ``text``); see :func:`tf_lu.data.box_files.parse_number_rows`."""
    return _parse_rows(_read_text(path) if text is None else text, path, counts)


def read_boxes(path, one_based=False):
    """An ``x,y,w,h`` file (one row per frame) -> 0-based ``(N, 4)`` array."""
    boxes = np.stack(parse_number_rows(path, (4,)))
    if one_based:
        boxes[:, :2] -= 1.0
    return boxes


def read_flags(path, expected=None, per_line=False):
    """0/1 (or small integer) flags, one per frame: either one comma-separated line (LaSOT) or one per line
    (GOT-10k).  Returns an int array; a count different from ``expected`` is a :class:`TfLuError`."""
    text = _read_text(path)
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


def _invalid(boxes):
    """Rows that are not finite or have no positive size."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    with np.errstate(invalid="ignore"):
        return ~np.all(np.isfinite(boxes), axis=1) | ~(boxes[:, 2] > 0) | ~(boxes[:, 3] > 0)


def _check_count(path, count, frames, folder):
    if count != len(frames):
        raise TfLuError(f"{path}: {count} boxes but {len(frames)} frames in {folder}")


def _frames(folder):
    frames = list_images(folder)
    if not frames:
        raise TfLuError(f"{folder}: no image files")
    return frames


def _require_dir(path, what):
    if not os.path.isdir(path):
        raise TfLuError(f"{what} not found: {path}")
    return path


def _subdirs(path):
    return sorted(n for n in os.listdir(path) if not n.startswith(".") and os.path.isdir(os.path.join(path, n)))


def _read_list(path):
    """Names listed one per line (blank lines and ``#`` comments skipped)."""
    return [line.strip() for line in _read_text(path, "list").splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _listed_or_subdirs(folder, list_name="list.txt"):
    list_path = os.path.join(folder, list_name)
    if os.path.isfile(list_path):
        names = _read_list(list_path)
        missing = [n for n in names if not os.path.isdir(os.path.join(folder, n))]
        if missing:
            raise TfLuError(f"{list_path}: listed folder(s) not found: {', '.join(missing[:5])}"
                            + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else ""))
        return names
    return _subdirs(folder)


# ---------------------------------------------------------------------------------------------------- ImageNet VID

def _vid_root(root):
    for candidate in (root, os.path.join(root, "ILSVRC2015"), os.path.join(root, "ILSVRC")):
        if os.path.isdir(os.path.join(candidate, "Annotations", "VID")):
            return candidate
    raise TfLuError(f"{root}: not an ImageNet VID folder (expected Annotations/VID/ and Data/VID/)")


def vid_videos(root, split=None):
    """VID snippets of ``split`` (``train`` or ``val``; default ``train``), nested train folders included."""
    split = split or "train"
    base = _vid_root(root)
    annotations = _require_dir(os.path.join(base, "Annotations", "VID", split), f"VID {split} annotations")
    data = os.path.join(base, "Data", "VID", split)
    videos = []

    def visit(relative, depth):
        folder = os.path.join(annotations, relative)
        names = os.listdir(folder)
        if any(n.endswith(".xml") for n in names):
            videos.append(Video("vid", relative.replace(os.sep, "/"), os.path.join(data, relative), folder))
        elif depth < 2:
            for name in sorted(names):
                if os.path.isdir(os.path.join(folder, name)):
                    visit(os.path.join(relative, name) if relative else name, depth + 1)

    visit("", 0)
    if not videos:
        raise TfLuError(f"{annotations}: no annotated VID snippets")
    return videos


def _xml_line(text, needle):
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def parse_vid_xml(path, text=None):
    """One VID annotation file -> ``(width, height, {trackid: (box, occluded)})`` with 0-based ``x,y,w,h`` boxes."""
    text = _read_text(path) if text is None else text
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise TfLuError(f"{path}, line {line}: malformed XML ({str(exc).split(':')[0]})") from None

    def number(element, tag, where):
        node = element.find(tag)
        raw = node.text.strip() if node is not None and node.text else None
        try:
            return float(raw)
        except (TypeError, ValueError):
            leaf = tag.split("/")[-1]
            line = _xml_line(text, f"<{leaf}>{raw}" if raw is not None else f"<{leaf}")
            raise TfLuError(f"{path}" + (f", line {line}" if line else "") +
                            f": {where}: missing or bad <{tag}> value {raw!r}") from None

    size = root.find("size")
    width = number(size, "width", "size") if size is not None else float("nan")
    height = number(size, "height", "size") if size is not None else float("nan")
    objects = {}
    for obj in root.findall("object"):
        track = obj.find("trackid")
        if track is None or not (track.text or "").strip():
            line = _xml_line(text, "<object")
            raise TfLuError(f"{path}" + (f", line {line}" if line else "") + ": <object> without <trackid>")
        trackid = track.text.strip()
        where = f"object trackid {trackid}"
        xmin, ymin = number(obj, "bndbox/xmin", where), number(obj, "bndbox/ymin", where)
        xmax, ymax = number(obj, "bndbox/xmax", where), number(obj, "bndbox/ymax", where)
        occluded = obj.find("occluded")
        try:
            flag = bool(int(float(occluded.text)))
        except (AttributeError, TypeError, ValueError):
            flag = False
        objects[trackid] = ([xmin, ymin, xmax - xmin + 1.0, ymax - ymin + 1.0], flag)
    return width, height, objects


def vid_tracks(video):
    """The tracks of one VID snippet: one per track id, spanning its first..last appearance (gaps absent)."""
    names = sorted(n for n in os.listdir(video.annotation) if n.endswith(".xml"))
    frames = [os.path.join(video.frames, os.path.splitext(n)[0] + ".JPEG") for n in names]
    if not os.path.isdir(video.frames):
        raise TfLuError(f"VID frames folder not found: {video.frames}")
    per_frame = [parse_vid_xml(os.path.join(video.annotation, n))[2] for n in names]
    ids = sorted({t for objects in per_frame for t in objects}, key=lambda t: (len(t), t))
    tracks = []
    for trackid in ids:
        present = [i for i, objects in enumerate(per_frame) if trackid in objects]
        first, last = present[0], present[-1]
        boxes = np.full((last - first + 1, 4), np.nan)
        occluded = np.zeros(last - first + 1, bool)
        for i in range(first, last + 1):
            if trackid in per_frame[i]:
                boxes[i - first], occluded[i - first] = per_frame[i][trackid]
        tracks.append(Track(name=f"{video.name}/{trackid}", frames=frames[first:last + 1], boxes=boxes,
                            absent=_invalid(boxes), dataset="vid", occluded=occluded))
    return tracks


# ---------------------------------------------------------------------------------------------------------- GOT-10k

def got10k_videos(root, split=None):
    """GOT-10k videos of ``split`` (``train``, ``val`` or ``test``; default ``train``) from ``<split>/list.txt``
    (or the sub-folders when there is no list).  ``root`` may also be the split folder itself."""
    split = split or "train"
    folder = os.path.join(root, split)
    if not os.path.isdir(folder) and os.path.basename(os.path.normpath(root)) == split:
        folder = root
    _require_dir(folder, f"GOT-10k {split} folder")
    names = _listed_or_subdirs(folder)
    if not names:
        raise TfLuError(f"{folder}: no GOT-10k videos")
    return [Video("got10k", n, os.path.join(folder, n), os.path.join(folder, n, "groundtruth.txt")) for n in names]


def _frames_and_boxes(video, dataset):
    """Frames and 0-based boxes of a video whose box file has one row per frame.  A test split with only the
    first box public comes back as a one-track list in the third slot (then nothing else needs checking)."""
    frames = _frames(video.frames)
    boxes = read_boxes(video.annotation)
    if len(boxes) == 1 and len(frames) > 1:
        return frames, boxes, [Track(name=video.name, frames=frames, boxes=boxes, absent=np.zeros(1, bool),
                                     dataset=dataset)]
    _check_count(video.annotation, len(boxes), frames, video.frames)
    return frames, boxes, None


def got10k_tracks(video):
    frames, boxes, first_only = _frames_and_boxes(video, "got10k")
    if first_only:
        return first_only
    absent = _invalid(boxes)
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


# ------------------------------------------------------------------------------------------------------------ LaSOT

LASOT_SPLIT_FILES = {"train": ("training_set.txt", "train.txt"), "test": ("testing_set.txt", "test.txt")}


def lasot_videos(root, split=None):
    """LaSOT videos ``<class>/<class>-N``; ``split`` ``train``/``test`` needs LaSOT's ``training_set.txt`` /
    ``testing_set.txt`` in ``root`` (one video name per line); no split = every video."""
    _require_dir(root, "LaSOT folder")
    if split:
        if split not in LASOT_SPLIT_FILES:
            raise TfLuError(f"LaSOT split must be train or test, got {split!r}")
        lists = [os.path.join(root, n) for n in LASOT_SPLIT_FILES[split] if os.path.isfile(os.path.join(root, n))]
        if not lists:
            raise TfLuError(f"{root}: LaSOT split {split!r} needs {' or '.join(LASOT_SPLIT_FILES[split])}")
        names = _read_list(lists[0])
    else:
        names = [f"{c}/{v}" for c in _subdirs(root) for v in _subdirs(os.path.join(root, c))
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
    frames = _frames(video.frames)
    boxes = read_boxes(video.annotation, one_based=True)
    _check_count(video.annotation, len(boxes), frames, video.frames)
    absent = _invalid(boxes)
    folder = os.path.dirname(video.annotation)
    for name in ("full_occlusion.txt", "out_of_view.txt"):
        path = os.path.join(folder, name)
        if os.path.isfile(path):
            absent |= read_flags(path, len(frames)) == 1
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=absent, dataset="lasot")]


# ------------------------------------------------------------------------------------------------------ TrackingNet

def trackingnet_videos(root, split=None):
    """TrackingNet videos ``<CHUNK>/frames/<video>/`` with ``<CHUNK>/anno/<video>.txt``.  ``split``: ``None`` or
    ``train`` = every ``TRAIN_k`` chunk; ``test`` = ``TEST``; ``"0,3"`` or ``"TRAIN_3"`` = those chunks."""
    _require_dir(root, "TrackingNet folder")
    chunks = [c for c in _subdirs(root) if os.path.isdir(os.path.join(root, c, "frames"))]
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
        for name in _subdirs(os.path.join(root, chunk, "frames")):
            videos.append(Video("trackingnet", f"{chunk}/{name}", os.path.join(root, chunk, "frames", name),
                                os.path.join(root, chunk, "anno", f"{name}.txt")))
    if not videos:
        raise TfLuError(f"{root}: no TrackingNet videos (TRAIN_k/frames/<video>/ + TRAIN_k/anno/<video>.txt)")
    return videos


def trackingnet_tracks(video):
    frames, boxes, first_only = _frames_and_boxes(video, "trackingnet")
    if first_only:
        return first_only
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=_invalid(boxes), dataset="trackingnet")]


# -------------------------------------------------------------------------------------------------------------- VOT

def vot_videos(root, split=None):
    """VOT sequences listed in ``list.txt`` (or every sub-folder with a ``groundtruth.txt``)."""
    _require_dir(root, "VOT folder")
    if os.path.isfile(os.path.join(root, "list.txt")):
        names = _listed_or_subdirs(root)
    else:
        names = [n for n in _subdirs(root) if os.path.isfile(os.path.join(root, n, "groundtruth.txt"))]
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
    frames = _frames(video.frames)
    boxes = vot_boxes(video.annotation)
    _check_count(video.annotation, len(boxes), frames, video.frames)
    return [Track(name=video.name, frames=frames, boxes=boxes, absent=_invalid(boxes), dataset="vot")]


# -------------------------------------------------------------------------------------------------------------- OTB

def otb_videos(root, split=None):
    """OTB-layout sub-folders (``img/`` + ``groundtruth_rect.txt``)."""
    _require_dir(root, "OTB folder")
    names = [n for n in _subdirs(root) if is_otb_folder(os.path.join(root, n))]
    if not names:
        raise TfLuError(f"{root}: no OTB-layout sequences (sub-folders with img/ and groundtruth_rect.txt)")
    return [Video("otb", n, os.path.join(root, n, "img"), os.path.join(root, n, "groundtruth_rect.txt"))
            for n in names]


def otb_tracks(video):
    sequence = read_otb_sequence(os.path.dirname(video.frames), name=video.name)
    return [Track(name=sequence.name, frames=sequence.frames, boxes=sequence.boxes, absent=sequence.absent,
                  dataset="otb")]


# ---------------------------------------------------------------------------------------------------------- readers

@dataclasses.dataclass(frozen=True)
class DatasetReader:
    """``videos(root, split)`` lists a dataset's videos; ``tracks(video)`` parses one of them.  Calling the reader
    yields every track (see :func:`read_dataset`)."""
    kind: str
    videos: Callable[..., List[Video]]
    tracks: Callable[[Video], List[Track]]
    splits: Tuple[str, ...] = ()
    description: str = ""

    def __call__(self, root, split=None, limit=None):
        return read_dataset(self.kind, root, split, limit)


DATASET_READERS: Dict[str, DatasetReader] = {
    "vid": DatasetReader("vid", vid_videos, vid_tracks, ("train", "val"), "ImageNet VID 2015"),
    "got10k": DatasetReader("got10k", got10k_videos, got10k_tracks, ("train", "val", "test"), "GOT-10k"),
    "lasot": DatasetReader("lasot", lasot_videos, lasot_tracks, ("train", "test"), "LaSOT"),
    "trackingnet": DatasetReader("trackingnet", trackingnet_videos, trackingnet_tracks, ("train", "test"),
                                 "TrackingNet"),
    "vot": DatasetReader("vot", vot_videos, vot_tracks, (), "VOT"),
    "otb": DatasetReader("otb", otb_videos, otb_tracks, (), "OTB"),
}


def get_reader(kind):
    if kind not in DATASET_READERS:
        raise TfLuError(f"unknown dataset {kind!r} (known: {', '.join(DATASET_READERS)})")
    return DATASET_READERS[kind]


def list_videos(kind, root, split=None, limit=None):
    """The videos of a dataset (at most ``limit``), without parsing annotations."""
    if limit is not None and limit < 1:
        raise TfLuError(f"limit must be at least 1, got {limit}")
    videos = get_reader(kind).videos(root, split)
    return videos[:limit] if limit else videos


def read_dataset(kind, root, split=None, limit=None) -> Iterator[Track]:
    """Every track of the first ``limit`` videos (all when ``None``) of dataset ``kind`` under ``root``.

    The videos are listed now (a bad ``root`` fails at once); annotations are parsed lazily as the iterator runs."""
    reader = get_reader(kind)
    videos = list_videos(kind, root, split, limit)

    def generate():
        for video in videos:
            yield from reader.tracks(video)

    return generate()
