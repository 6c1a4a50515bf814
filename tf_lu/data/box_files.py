"""OTB box files: one line of 1-based ``x,y,w,h`` per frame, ``NaN`` values where the target is absent.

The ground truth of an OTB folder (``groundtruth_rect.txt``), a tracker's result file and the boxes of a tracked video
are all box files.  :func:`read_box_file` reads one into 0-based rows (see :mod:`tf_lu.geometry.boxes`);
:func:`write_box_file` writes 0-based rows atomically (a temporary file in the same folder, then a rename), so a
reader never sees half a file.
"""
import re

import numpy as np

from tf_lu.atomic_files import write_text_atomic
from tf_lu.errors import TfLuError
from tf_lu.geometry.boxes import from_otb, to_otb


def parse_number_rows(text, source, counts=(4,)):
    """Rows of comma, tab or space separated numbers; each row must hold one of ``counts`` values (``NaN`` allowed).

    Returns a list of float arrays.  A bad row is a :class:`TfLuError` naming ``source`` and the line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p for p in re.split(r"[,\t ]+", line) if p]
        if len(parts) not in counts:
            expected = " or ".join(str(c) for c in counts)
            raise TfLuError(f"{source}, line {number}: expected {expected} values, got {len(parts)}: {line[:80]!r}")
        try:
            rows.append(np.array([float(p) for p in parts], dtype=np.float64))
        except ValueError:
            raise TfLuError(f"{source}, line {number}: not a number in {line[:80]!r}") from None
    if not rows:
        raise TfLuError(f"{source}: no boxes")
    return rows


def parse_box_lines(text, source="box file"):
    """Parse ``x,y,w,h`` lines separated by commas, tabs or spaces; ``NaN`` marks an absent target."""
    return np.stack(parse_number_rows(text, source, (4,)))


def read_text(path, what="box"):
    """The text of a small annotation file; a missing or unreadable one is a :class:`TfLuError`."""
    try:
        with open(path, "r", encoding="utf-8-sig") as handle:   # a byte-order mark is dropped
            return handle.read()
    except FileNotFoundError:
        raise TfLuError(f"missing {what} file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TfLuError(f"unreadable {what} file: {path} ({exc.__class__.__name__})") from None


def read_box_file(path, what="box"):
    """Read an OTB box file (1-based) into 0-based rows."""
    return from_otb(parse_box_lines(read_text(path, what), source=path))


def _format_number(value, decimals, trim):
    text = f"{value:.{decimals}f}"
    if not trim:
        return text
    text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_box_lines(boxes, decimals=3, absent=None, trim=False):
    """0-based rows -> the text of a box file: 1-based ``x,y,w,h`` lines with ``decimals`` decimals (``trim``: without
    trailing zeros, ``1.5`` rather than ``1.50``), ``NaN,NaN,NaN,NaN`` for rows flagged in ``absent`` and for rows
    that are not all finite."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    absent = np.zeros(len(boxes), bool) if absent is None else np.asarray(absent, bool).reshape(-1)
    if len(absent) != len(boxes):
        raise TfLuError(f"{len(boxes)} boxes but {len(absent)} absent flags")
    lines = []
    for row, hidden in zip(to_otb(boxes), absent):
        if hidden or not np.all(np.isfinite(row)):
            lines.append("NaN,NaN,NaN,NaN")
        else:
            lines.append(",".join(_format_number(v, decimals, trim) for v in row))
    return "\n".join(lines) + "\n"


def write_box_file(path, boxes, decimals=3, absent=None, trim=False):
    """Write 0-based ``boxes`` as a box file at ``path`` (see :func:`format_box_lines`) atomically: into a temporary
    file in the same folder, then renamed over ``path``.  An ``OSError`` propagates; no temporary file is left."""
    write_text_atomic(path, format_box_lines(boxes, decimals, absent, trim))
    return path
