"""Sequences: frames plus boxes, read from OTB-layout folders, plain image folders or video files.

A :class:`Sequence` loads frames lazily (``seq.frame(i)``), so a long video never sits in memory whole.  Boxes are
0-based ``(x, y, w, h)`` rows (see :mod:`tf_lu.geometry.boxes`); NaN rows mark frames where the target is absent.
"""
import dataclasses
import os
import re
from typing import Callable, Optional, Sequence as TypingSequence

import numpy as np
from PIL import Image

from tf_lu.data.box_files import read_box_file, write_box_file
from tf_lu.data.images import image_shape, load_image, to_rgb
from tf_lu.errors import TfLuError
from tf_lu.geometry.boxes import clip_to_image, from_otb, validate_initial_box

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
VIDEO_EXTENSIONS = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".mpg", ".mpeg", ".m4v")


@dataclasses.dataclass
class Sequence:
    """A tracking sequence.

    ``frames`` is either a list of image paths or a list of in-memory arrays; ``loader`` turns one entry into an RGB
    array.  ``boxes`` has one row per frame, or only the first row when the user gives just the initial box.
    ``absent`` marks frames whose target is not visible (NaN rows in the box file, or a dataset's own flags).
    """
    name: str
    frames: TypingSequence
    boxes: np.ndarray
    loader: Optional[Callable] = None
    absent: Optional[np.ndarray] = None

    def __post_init__(self):
        self.boxes = np.asarray(self.boxes, dtype=np.float64).reshape(-1, 4)
        if self.absent is None:
            self.absent = ~np.all(np.isfinite(self.boxes), axis=1)
        self.absent = np.asarray(self.absent, dtype=bool)

    def __len__(self):
        return len(self.frames)

    def frame(self, index):
        item = self.frames[index]
        if self.loader is not None:
            return self.loader(item)
        if isinstance(item, (str, os.PathLike)):
            return load_image(item)
        return to_rgb(item)

    @property
    def init_box(self):
        return self.boxes[0]

    def head(self, count):
        """The first ``count`` frames as a sequence of the same kind."""
        return dataclasses.replace(self, frames=list(self.frames[:count]), boxes=self.boxes[:count],
                                   absent=self.absent[:count])


def truncate_sequence(sequence, max_frames):
    """The first ``max_frames`` frames of ``sequence`` (``sequence`` itself when it is no longer; for quick runs)."""
    if max_frames is None or max_frames >= len(sequence):
        return sequence
    if max_frames < 1:
        raise TfLuError(f"max frames must be at least 1, got {max_frames}")
    return sequence.head(max_frames)


def _natural_key(path):
    return [int(tok) if tok.isdigit() else tok for tok in re.split(r"(\d+)", os.path.basename(path))]


def list_images(folder):
    """Image files in ``folder`` in natural order (``2.jpg`` before ``10.jpg``)."""
    if not os.path.isdir(folder):
        raise TfLuError(f"not a folder: {folder}")
    names = [n for n in os.listdir(folder) if n.lower().endswith(IMAGE_EXTENSIONS) and not n.startswith(".")]
    return sorted((os.path.join(folder, n) for n in names), key=_natural_key)


def read_otb_sequence(folder, name=None):
    """Read one OTB-layout folder: ``img/`` frames and ``groundtruth_rect.txt``."""
    name = name or os.path.basename(os.path.normpath(folder))
    image_dir = os.path.join(folder, "img")
    box_path = os.path.join(folder, "groundtruth_rect.txt")
    if not os.path.isdir(image_dir):
        raise TfLuError(f"{folder}: no img/ folder (expected OTB layout: img/ + groundtruth_rect.txt)")
    frames = list_images(image_dir)
    if not frames:
        raise TfLuError(f"{image_dir}: no image files")
    boxes = read_box_file(box_path)
    if len(boxes) != len(frames):
        raise TfLuError(f"{box_path}: {len(boxes)} boxes but {len(frames)} frames in {image_dir}")
    validate_initial_box(boxes[0], image_shape(frames[0]), source=f"the first box ({box_path}, line 1)")
    return Sequence(name=name, frames=frames, boxes=boxes)


def write_otb_folder(sequence, folder):
    """Write ``folder/img/0001.jpg`` ... (JPEG quality 90) and ``folder/groundtruth_rect.txt`` (1-based ``x,y,w,h``
    with 2 decimals; ``NaN,NaN,NaN,NaN`` for absent frames), readable by :func:`read_otb_sequence`."""
    count = len(sequence)
    boxes = np.asarray(sequence.boxes, dtype=np.float64).reshape(-1, 4)
    if len(boxes) != count:
        raise TfLuError(f"{sequence.name}: {len(boxes)} boxes but {count} frames")
    absent = np.zeros(count, bool) if sequence.absent is None else np.asarray(sequence.absent, bool)
    image_dir = os.path.join(folder, "img")
    try:
        os.makedirs(image_dir, exist_ok=True)
        digits = max(4, len(str(count)))
        for i in range(count):
            Image.fromarray(sequence.frame(i)).save(os.path.join(image_dir, f"{i + 1:0{digits}d}.jpg"), quality=90)
        write_box_file(os.path.join(folder, "groundtruth_rect.txt"), boxes, decimals=2, absent=absent)
    except OSError as exc:
        raise TfLuError(f"cannot write {folder}: {exc}") from None


def is_otb_folder(folder):
    return os.path.isdir(os.path.join(folder, "img")) and os.path.isfile(os.path.join(folder, "groundtruth_rect.txt"))


def require_data_folder(root):
    """A :class:`TfLuError` unless ``root`` is a folder: "not found", or "is a file" for a file."""
    if os.path.isfile(root):
        raise TfLuError(f"data folder {root} is a file, not a folder of sequences")
    if not os.path.isdir(root):
        raise TfLuError(f"data folder not found: {root}")


def read_otb_dataset(root, names=None):
    """All OTB-layout sub-folders of ``root`` (sorted), or only those in ``names``."""
    require_data_folder(root)
    if names:
        missing = [n for n in names if not is_otb_folder(os.path.join(root, n))]
        if missing:
            raise TfLuError(f"{root}: no OTB-layout sequence named {', '.join(missing)}")
        folders = list(names)
    else:
        folders = sorted(n for n in os.listdir(root) if is_otb_folder(os.path.join(root, n)))
    if not folders:
        raise TfLuError(f"{root}: no OTB-layout sequences (sub-folders with img/ and groundtruth_rect.txt)")
    return [read_otb_sequence(os.path.join(root, n), name=n) for n in folders]


def read_otb_folders(folders, names=None):
    """:func:`read_otb_dataset` over several roots (a list, or one string of comma-separated folders unless the string
    names an existing folder as it is), in order;
    ``names`` picks sequences from any of them.  Two sequences with one name are an error."""
    if isinstance(folders, str):
        folders = [folders] if os.path.isdir(folders) else folders.split(",")   # a folder named "a,b" is one folder
    roots = [f for f in folders if f]
    if not roots:
        raise TfLuError("no data folder given")
    if len(roots) == 1:
        return read_otb_dataset(roots[0], names)
    sequences = [s for root in roots for s in read_otb_dataset(root)]
    seen = set()
    for sequence in sequences:
        if sequence.name in seen:
            raise TfLuError(f"sequence {sequence.name!r} is in more than one of {', '.join(roots)}")
        seen.add(sequence.name)
    if names:
        missing = [n for n in names if n not in seen]
        if missing:
            raise TfLuError(f"{', '.join(roots)}: no OTB-layout sequence named {', '.join(missing)}")
        wanted = set(names)
        sequences = [s for s in sequences if s.name in wanted]
    return sequences


class VideoFrames:
    """Random access to the frames of a video file through OpenCV, decoding sequentially when possible."""

    def __init__(self, path):
        import cv2  # local import: only video users need OpenCV here
        self._cv2 = cv2
        self.path = path
        self._capture = cv2.VideoCapture(path)
        if not self._capture.isOpened():
            raise TfLuError(f"cannot open video: {path}")
        self._count = int(self._capture.get(cv2.CAP_PROP_FRAME_COUNT))
        self._next = 0
        self._last = (None, None)        # (index, frame) of the last decoded frame: asking again re-decodes nothing
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0) or 25.0
        if self._count <= 0:
            # Some containers (webm, mkv, streams) report no frame count: count by decoding, then start over.
            count = 0
            while self._capture.grab():
                count += 1
            self._count = count
            self._capture.release()
            self._capture = cv2.VideoCapture(path)
        if self._count <= 0:
            raise TfLuError(f"video has no frames: {path}")

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        if index < 0:
            index += self._count
        if index == self._last[0]:
            return self._last[1]
        if index != self._next:
            self._capture.set(self._cv2.CAP_PROP_POS_FRAMES, index)
        ok, bgr = self._capture.read()
        if not ok or bgr is None:
            raise TfLuError(f"{self.path}: cannot decode frame {index + 1}")
        self._next = index + 1
        self._last = (index, to_rgb(bgr[:, :, ::-1]))
        return self._last[1]


def open_user_sequence(source, init_box, one_based=False):
    """A video file or an image folder with the first box given by the user (``x,y,w,h``, 0-based unless
    ``one_based``).  The box is checked against the first frame and cut to its part inside it; the box as given
    (0-based) rides along as ``sequence.given_box``."""
    if os.path.isdir(source):
        frames = list_images(source)
        if not frames:
            raise TfLuError(f"{source}: no image files")
    elif os.path.isfile(source):
        if not source.lower().endswith(VIDEO_EXTENSIONS):
            raise TfLuError(f"{source}: not a video file (expected one of {', '.join(VIDEO_EXTENSIONS)})")
        frames = VideoFrames(source)
    else:
        raise TfLuError(f"no such video file or image folder: {source}")
    box = np.asarray(init_box, dtype=np.float64).reshape(-1)
    if one_based and box.shape == (4,):
        box = from_otb(box)
    name = os.path.splitext(os.path.basename(os.path.normpath(source)))[0]
    sequence = Sequence(name=name, frames=frames, boxes=box.reshape(1, -1) if box.size == 4 else np.zeros((1, 4)))
    shape = sequence.frame(0).shape
    validate_initial_box(box, shape, source="the first box (--box)")
    sequence.given_box = box.copy()
    sequence.boxes[0] = clip_to_image(box, shape)
    return sequence
