"""Polygons: conversions to and from boxes, and the check that a ground-truth polygon is usable.

A polygon is a flat array ``(x1, y1, x2, y2, ...)`` of at least three corners in the same 0-based continuous pixel
coordinates as boxes (:mod:`tf_lu.geometry.boxes`): the box ``(x, y, w, h)`` is the polygon with corners ``(x, y)``,
``(x + w, y)``, ``(x + w, y + h)``, ``(x, y + h)``.  The overlap VOT scores regions by is in
:mod:`tf_lu.geometry.raster`.
"""
import numpy as np


_EPS = 1e-12


def box_to_polygon(boxes):
    """``(..., 4)`` boxes ``(x, y, w, h)`` -> ``(..., 8)`` polygons (corners clockwise on screen, from top-left)."""
    boxes = np.asarray(boxes, dtype=np.float64)
    x, y, w, h = (boxes[..., i] for i in range(4))
    return np.stack([x, y, x + w, y, x + w, y + h, x, y + h], axis=-1)


def polygon_to_box(polygons):
    """``(..., 2K)`` polygons -> ``(..., 4)`` axis-aligned bounding boxes ``(x, y, w, h)`` (what VOT initialises
    trackers with); NaN polygons give NaN boxes."""
    polygons = np.asarray(polygons, dtype=np.float64)
    xs, ys = polygons[..., 0::2], polygons[..., 1::2]
    left, top = xs.min(axis=-1), ys.min(axis=-1)
    return np.stack([left, top, xs.max(axis=-1) - left, ys.max(axis=-1) - top], axis=-1)


def signed_area(points):
    """Shoelace area of ``(K, 2)`` corners: positive when they run counter-clockwise in x-right, y-up axes."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_cross(a, b, c, d):
    """True when segments ``ab`` and ``cd`` cross at a point inside both (touching ends do not count)."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    return d1 * d2 < -_EPS and d3 * d4 < -_EPS


def polygon_problem(values):
    """Why ``values`` are not a usable polygon (a short phrase), or ``None`` when they are."""
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size < 6 or values.size % 2:
        return f"a polygon needs an even number of 6 or more values, got {values.size}"
    if not np.all(np.isfinite(values)):
        return "a polygon corner is not a finite number"
    points = values.reshape(-1, 2)
    count = len(points)
    for i in range(count):
        for j in range(i + 2, count):
            if i == 0 and j == count - 1:
                continue  # neighbouring edges (the last closes onto the first)
            if _segments_cross(points[i], points[(i + 1) % count], points[j], points[(j + 1) % count]):
                return "the polygon's edges cross each other"
    if abs(signed_area(points)) <= _EPS:
        return "the polygon has zero area"
    return None
