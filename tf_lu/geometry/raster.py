"""The overlap VOT scores trackers by, counted in whole pixels as the VOT toolkit counts it (vot-toolkit 0.9).

A region is a box ``(x, y, w, h)`` (4 values) or a polygon ``(x1, y1, x2, y2, ...)`` (6 or more), in the pixel
coordinates of :mod:`tf_lu.geometry.boxes`.  Both regions are drawn on the pixel grid and their overlap is the number
of pixels they share over the number either covers:

* a box: its four values rounded to whole numbers (halves to even), it covers columns ``x .. x + w - 1`` and rows
  ``y .. y + h - 1``;
* a polygon: its corners rounded, it is filled row by row: on pixel row ``Y`` every edge whose rows ``[y_a, y_b]``
  hold ``Y`` crosses it at ``x_a + (Y - y_a) / (y_b - y_a) * (x_b - x_a)``, truncated toward zero (a horizontal edge on
  ``Y`` at its end corner's ``x``); the crossings, sorted, are taken in pairs and each pair's pixels are filled, both
  ends included (a pair of equal crossings is passed over by one crossing, except the last pair);
* only the pixels inside the joint extent of both regions are counted, and with ``bounds`` ``(W, H)`` only those of the
  image, columns ``0 .. W - 1`` and rows ``0 .. H - 1``;
* two regions whose joint extent is no wider or no taller than one pixel column or row count as the same region
  (overlap 1); a joint extent that leaves the image, or keeps only one column or row of it, gives 0.

So a box and the 4-corner polygon of the same box differ: the polygon also covers its right column and bottom row.
VOT's analysis always gives the image bounds; without them, the toolkit draws a box that reaches negative coordinates
short of its right (bottom) end, which is not followed here.
"""
import numpy as np

from tf_lu.errors import TfLuError


def _rounded(region):
    """``(kind, values)``: ``("box", [x, y, w, h])`` or ``("polygon", (K, 2) corners)``, rounded to whole pixels."""
    values = np.round(np.asarray(region, dtype=np.float64).reshape(-1))
    if values.size == 4:
        return "box", values
    if values.size < 6 or values.size % 2:
        raise TfLuError(f"a region has 4 values (x,y,w,h) or an even number of 6 or more (polygon), got {values.size}")
    return "polygon", values.reshape(-1, 2)


def pixel_extent(kind, values):
    """``(left, top, right, bottom)`` pixel columns and rows a rounded region spans (both ends included)."""
    if kind == "box":
        x, y, w, h = values
        return int(x), int(y), int(x + w - 1), int(y + h - 1)
    return (int(values[:, 0].min()), int(values[:, 1].min()), int(values[:, 0].max()), int(values[:, 1].max()))


def box_mask(values, frame):
    """The pixels of a rounded box inside ``frame`` ``(left, top, right, bottom)``, as a boolean mask."""
    left, top, right, bottom = frame
    mask = np.zeros((bottom - top + 1, right - left + 1), dtype=bool)
    x, y, w, h = (int(v) for v in values)
    x0, y0, x1, y1 = max(x, left), max(y, top), min(x + w - 1, right), min(y + h - 1, bottom)
    if x0 <= x1 and y0 <= y1:
        mask[y0 - top:y1 - top + 1, x0 - left:x1 - left + 1] = True
    return mask


def _row_crossings(corners, row):
    """Columns where the polygon's edges cross pixel row ``row`` (relative coordinates), unsorted."""
    crossings = []
    for (xa, ya), (xb, yb) in zip(corners, np.roll(corners, 1, axis=0)):
        if ya != yb and min(ya, yb) <= row <= max(ya, yb):
            crossings.append(int(np.trunc(xa + (row - ya) / (yb - ya) * (xb - xa))))
        elif ya == yb == row:
            crossings.append(int(xa))
    return sorted(crossings)


def _fill_row(mask_row, crossings):
    """Fill the pixels between pairs of sorted ``crossings`` in one mask row (see the module doc)."""
    width, i = len(mask_row), 0
    while i < len(crossings) - 1:
        start, end = crossings[i], crossings[i + 1]
        if start >= width:
            break
        if start == end and i < len(crossings) - 2:
            i += 1
            continue
        if end >= 0:
            mask_row[max(start, 0):min(end, width - 1) + 1] = True
        i += 2


def polygon_mask(corners, frame):
    """The pixels of a rounded polygon ``(K, 2)`` inside ``frame`` ``(left, top, right, bottom)``, row by row."""
    left, top, right, bottom = frame
    mask = np.zeros((bottom - top + 1, right - left + 1), dtype=bool)
    relative = corners - np.array([left, top], dtype=np.float64)
    low, high = max(0, int(relative[:, 1].min())), min(len(mask) - 1, int(relative[:, 1].max()))
    for row in range(low, high + 1):
        _fill_row(mask[row], _row_crossings(relative, row))
    return mask


def _mask(kind, values, frame):
    return box_mask(values, frame) if kind == "box" else polygon_mask(values, frame)


def raster_overlap(region_a, region_b, bounds=None):
    """Pixel overlap of two regions (see the module doc); ``bounds`` ``(width, height)`` keeps the image's pixels
    only.  NaN when either region holds NaN (an absent target)."""
    if not (np.all(np.isfinite(region_a)) and np.all(np.isfinite(region_b))):
        return float("nan")
    a, b = _rounded(region_a), _rounded(region_b)
    extent_a, extent_b = pixel_extent(*a), pixel_extent(*b)
    joint = (min(extent_a[0], extent_b[0]), min(extent_a[1], extent_b[1]),
             max(extent_a[2], extent_b[2]), max(extent_a[3], extent_b[3]))
    if joint[0] >= joint[2] or joint[1] >= joint[3]:
        return 1.0
    if bounds is not None:
        joint = (max(0, joint[0]), max(0, joint[1]), min(int(bounds[0]) - 1, joint[2]),
                 min(int(bounds[1]) - 1, joint[3]))
        if joint[0] >= joint[2] or joint[1] >= joint[3]:
            return 0.0
    mask_a, mask_b = _mask(*a, joint), _mask(*b, joint)
    union = int(np.count_nonzero(mask_a | mask_b))
    return float(np.count_nonzero(mask_a & mask_b)) / union if union else 0.0
