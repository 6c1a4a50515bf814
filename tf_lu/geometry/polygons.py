"""Regions as polygons: conversions to and from boxes, and the overlap VOT scores trackers by.

A polygon is a flat array ``(x1, y1, x2, y2, ...)`` of at least three corners in the same 0-based continuous pixel
coordinates as boxes (:mod:`tf_lu.geometry.boxes`): the box ``(x, y, w, h)`` is the polygon with corners ``(x, y)``,
``(x + w, y)``, ``(x + w, y + h)``, ``(x, y + h)``, and an image of width ``W`` and height ``H`` covers
``[0, W] x [0, H]``.  A *region* is either: 4 values (a box) or an even number of 6 or more values (a polygon).

The overlap is exact geometry: both regions are clipped to the image (when ``bounds`` are given, as VOT does), their
intersection is found by clipping one against the other, which must be convex (Sutherland-Hodgman; a box always is),
and areas come from the shoelace formula.  VOT's toolkit instead rounds the corners to whole pixels and rasterises
both regions on the pixel grid: on boxes with whole-pixel corners the two agree exactly
(``tests/test_vot_toolkit_crosscheck.py``); otherwise they differ along the regions' edges, by up to half a pixel of
rounding on each side (about 2% of the overlap of a 50 px box, more for tilted polygons and small targets).
"""
import numpy as np

from tf_lu.errors import TfLuError

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


def region_to_polygon(region):
    """A region (4 values: box; 6, 8, ... values: polygon) -> ``(K, 2)`` corner array."""
    region = np.asarray(region, dtype=np.float64).reshape(-1)
    if region.size == 4:
        region = box_to_polygon(region)
    elif region.size < 6 or region.size % 2:
        raise TfLuError(f"a region has 4 values (x,y,w,h) or an even number of 6 or more (polygon), got {region.size}")
    return region.reshape(-1, 2)


def signed_area(points):
    """Shoelace area of ``(K, 2)`` corners: positive when they run counter-clockwise in x-right, y-up axes."""
    x, y = points[:, 0], points[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def _cross(o, a, b):
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def is_convex(points):
    """True when the corners form a convex polygon (collinear corners allowed)."""
    turns = [_cross(points[i - 2], points[i - 1], points[i]) for i in range(len(points))]
    return all(t >= -_EPS for t in turns) or all(t <= _EPS for t in turns)


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


def clip_polygon(subject, clip):
    """The part of polygon ``subject`` inside the convex polygon ``clip`` (both ``(K, 2)``), as ``(M, 2)`` corners
    (``M`` may be 0).  Sutherland-Hodgman: the subject is cut by each edge of ``clip`` in turn."""
    if signed_area(clip) < 0:
        clip = clip[::-1]
    output = [tuple(p) for p in subject]
    for i in range(len(clip)):
        a, b = clip[i - 1], clip[i]
        points, output = output, []
        for j, current in enumerate(points):
            previous = points[j - 1]
            inside_now, inside_before = _cross(a, b, current) >= 0, _cross(a, b, previous) >= 0
            if inside_now != inside_before:
                output.append(_edge_crossing(a, b, previous, current))
            if inside_now:
                output.append(current)
        if not output:
            break
    return np.array(output, dtype=np.float64).reshape(-1, 2)


def _edge_crossing(a, b, p, q):
    """Where segment ``pq`` crosses the line through ``a`` and ``b``."""
    side_p, side_q = _cross(a, b, p), _cross(a, b, q)
    t = side_p / (side_p - side_q)
    return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))


def _area(points):
    return abs(signed_area(points)) if len(points) >= 3 else 0.0


def region_overlap(region_a, region_b, bounds=None):
    """Intersection over union of two regions; ``bounds`` ``(width, height)`` clips both to the image first.

    NaN when either region holds NaN (an absent target) or when both are empty inside the bounds.  One of the two
    must be convex (a box always is)."""
    a, b = region_to_polygon(region_a), region_to_polygon(region_b)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
        return float("nan")
    if bounds is not None:
        frame = box_to_polygon([0.0, 0.0, float(bounds[0]), float(bounds[1])]).reshape(-1, 2)
        a, b = clip_polygon(a, frame), clip_polygon(b, frame)
    area_a, area_b = _area(a), _area(b)
    if area_a + area_b <= _EPS:
        return float("nan")
    if min(area_a, area_b) <= _EPS:
        return 0.0
    if is_convex(b):
        inter = _area(clip_polygon(a, b))
    elif is_convex(a):
        inter = _area(clip_polygon(b, a))
    else:
        raise TfLuError("cannot overlap two non-convex polygons (one of them must be convex, e.g. a box)")
    return float(np.clip(inter / (area_a + area_b - inter), 0.0, 1.0))
