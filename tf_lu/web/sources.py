"""The videos and sequences a page may open: uploads, and the sequences of the folder the server was pointed at.

A page names a source only by the id the server gave it; no path taken from a request is ever used to open a file.
An upload is saved under a fresh random name inside the server's upload folder (the client's file name is only
shown), and is checked by decoding its first frame: a file that is not a video, or a corrupt one, is removed again
and reported.  :meth:`Source.open` gives a fresh frame reader each time, so jobs never share a video decoder.
"""
import dataclasses
import os
import sys
import threading
import uuid
from typing import Optional

import numpy as np

from tf_lu.data.sequences import VIDEO_EXTENSIONS, Sequence, VideoFrames, is_otb_folder, read_otb_sequence
from tf_lu.errors import TfLuError
from tf_lu.web.encode import jpeg_bytes
from tf_lu.web.inputs import NotFound, shown_name

MAX_UPLOADS_KEPT = 16
FOLDER_FPS = 25.0


@dataclasses.dataclass
class Source:
    """A video file or an OTB-layout folder, with what the page needs to show before tracking."""
    id: str
    name: str
    path: str
    frames: int
    width: int
    height: int
    fps: float
    first_jpeg: bytes
    ground_truth: Optional[np.ndarray] = None   # (N, 4) 0-based boxes, for OTB-layout folders
    uploaded: bool = False

    def open(self):
        """A fresh :class:`~tf_lu.data.sequences.Sequence` over the frames (the same reader ``tf-lu track`` uses)."""
        if self.ground_truth is not None:
            return read_otb_sequence(self.path, name=self.name)
        return Sequence(name=os.path.splitext(self.name)[0], frames=VideoFrames(self.path), boxes=np.zeros((1, 4)))

    def describe(self):
        first_box = None if self.ground_truth is None else [float(v) for v in self.ground_truth[0]]
        return {"id": self.id, "name": self.name, "frames": self.frames, "width": self.width, "height": self.height,
                "ground_truth": self.ground_truth is not None, "first_box": first_box}


def _source(source_id, name, path, sequence, fps, ground_truth=None, uploaded=False):
    first = sequence.frame(0)
    return Source(source_id, name, path, len(sequence), int(first.shape[1]), int(first.shape[0]), fps,
                  jpeg_bytes(first), ground_truth, uploaded)


def video_source(source_id, name, path, uploaded=False):
    """A :class:`Source` for the video file at ``path`` (a :class:`TfLuError` unless its first frame decodes)."""
    frames = VideoFrames(path)
    return _source(source_id, name, path, Sequence(name=name, frames=frames, boxes=np.zeros((1, 4))), frames.fps,
                   uploaded=uploaded)


def sequence_source(source_id, folder):
    """A :class:`Source` for an OTB-layout folder (``img/`` and ``groundtruth_rect.txt``)."""
    sequence = read_otb_sequence(folder)
    return _source(source_id, sequence.name, folder, sequence, FOLDER_FPS, ground_truth=sequence.boxes)


def folder_entries(folder):
    """The OTB-layout sub-folders and video files directly in ``folder``, sorted by name."""
    if not os.path.isdir(folder):
        raise TfLuError(f"data folder not found: {folder}")
    entries = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if is_otb_folder(path) or (os.path.isfile(path) and name.lower().endswith(VIDEO_EXTENSIONS)):
            entries.append(path)
    return entries


class SourceStore:
    """The sources a page may open, by id; uploads go into ``upload_dir`` (the newest :data:`MAX_UPLOADS_KEPT`
    are kept)."""

    def __init__(self, upload_dir, max_uploads=MAX_UPLOADS_KEPT):
        self.upload_dir = upload_dir
        self.max_uploads = max_uploads
        self._sources = {}
        self._lock = threading.Lock()
        os.makedirs(upload_dir, exist_ok=True)

    def add_folder(self, folder):
        """Offer every sequence and video of ``folder``; one that cannot be read is skipped with a warning."""
        for path in folder_entries(folder):
            source_id = f"s{len(self._sources)}"
            try:
                source = sequence_source(source_id, path) if os.path.isdir(path) else \
                    video_source(source_id, os.path.basename(path), path)
            except TfLuError as exc:
                print(f"warning: skipping {path}: {exc}", file=sys.stderr)
                continue
            with self._lock:
                self._sources[source_id] = source
        return self.list()

    def add_upload(self, client_name, save):
        """Save an upload through ``save(path)`` under a fresh name and check it decodes; returns its
        :class:`Source`.  A file that is not a video, an empty one or a corrupt one is a :class:`TfLuError`."""
        name = shown_name(client_name)
        extension = os.path.splitext(name)[1].lower()
        if extension not in VIDEO_EXTENSIONS:
            raise TfLuError(f"{name} is not a video file: choose a file ending in {', '.join(VIDEO_EXTENSIONS)}")
        source_id = "u" + uuid.uuid4().hex
        path = os.path.join(self.upload_dir, source_id + extension)
        try:
            save(path)
            empty = os.path.getsize(path) == 0
            source = None if empty else video_source(source_id, name, path, uploaded=True)
        except TfLuError:
            _remove(path)
            raise TfLuError(f"{name} cannot be read as a video: it is corrupt or not a video") from None
        except OSError as exc:
            _remove(path)
            raise TfLuError(f"cannot store {name} on the server: {exc.strerror or exc}") from None
        except BaseException:
            _remove(path)
            raise
        if empty:
            _remove(path)
            raise TfLuError(f"{name} is empty")
        with self._lock:
            self._sources[source_id] = source
            self._forget_old_uploads()
        return source

    def _forget_old_uploads(self):
        uploads = [s for s in self._sources.values() if s.uploaded]
        for source in uploads[:max(0, len(uploads) - self.max_uploads)]:
            del self._sources[source.id]
            _remove(source.path)

    def get(self, source_id):
        with self._lock:
            source = self._sources.get(str(source_id))
        if source is None:
            raise NotFound("no such video: open a video or choose a sequence again")
        return source

    def list(self):
        with self._lock:
            return [source.describe() for source in self._sources.values() if not source.uploaded]


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass
