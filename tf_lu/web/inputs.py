"""What a page sends, checked: the first box, the trackers, the annotated output, a shown file name.

Everything a page can get wrong is a :class:`~tf_lu.errors.TfLuError` with a message meant for the page; an id that
names nothing is a :class:`NotFound`.
"""
import re

import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.geometry.boxes import validate_initial_box

OUTPUT_FORMATS = ("mp4", "gif", "none")
MAX_TRACKERS = 8
MAX_NAME_CHARS = 80


class NotFound(TfLuError):
    """An id (source, job, tracker, frame) that names nothing the server has."""


def first_box(value, width, height):
    """The box a page sent (``[x, y, w, h]`` or ``"x,y,w,h"``, 0-based pixels), checked against a ``width`` x
    ``height`` first frame; returns 4 floats."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = []
    try:
        box = np.array([float(p) for p in parts], dtype=np.float64)
    except (TypeError, ValueError):
        box = np.zeros(0)
    if box.shape != (4,):
        raise TfLuError(f"the box must be 4 numbers x,y,w,h, got {value!r}; drag a box on the first frame")
    return validate_initial_box(box, (height, width), source="the box")


def tracker_choice(names, offered):
    """The trackers a page picked: a non-empty list of names from ``offered``, each once, at most
    :data:`MAX_TRACKERS`."""
    if not isinstance(names, (list, tuple)) or not names:
        raise TfLuError("choose at least one tracker")
    chosen = list(dict.fromkeys(str(name) for name in names))
    unknown = [name for name in chosen if name not in offered]
    if unknown:
        raise TfLuError(f"unknown tracker {unknown[0]!r}; this server offers {', '.join(offered)}")
    if len(chosen) > MAX_TRACKERS:
        raise TfLuError(f"choose at most {MAX_TRACKERS} trackers at once, got {len(chosen)}")
    return chosen


def output_format(value):
    """The annotated output a page asked for: ``mp4``, ``gif`` or ``none`` (default ``mp4``)."""
    value = "mp4" if value in (None, "") else str(value).lower()
    if value not in OUTPUT_FORMATS:
        raise TfLuError(f"unknown output format {value!r}; choose one of {', '.join(OUTPUT_FORMATS)}")
    return value


def shown_name(client_name):
    """A client's file name made safe to show: its last path part, printable characters only, at most
    :data:`MAX_NAME_CHARS` (it is never used to open a file)."""
    name = re.split(r"[\\/]", str(client_name or ""))[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    if len(name) > MAX_NAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:MAX_NAME_CHARS - len(ext) - 4] + "..." + dot + ext) if dot and len(ext) < 8 \
            else name[:MAX_NAME_CHARS]
    return name or "upload"
