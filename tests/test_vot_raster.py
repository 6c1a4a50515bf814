"""The overlap VOT scores by (tf_lu/geometry/raster.py): whole pixels as the VOT toolkit counts them, against values
counted by hand, and the polygon checks of the ground-truth reader."""
import numpy as np
import pytest

from tf_lu.errors import TfLuError
from tf_lu.geometry.polygons import box_to_polygon, polygon_problem, polygon_to_box
from tf_lu.geometry.raster import raster_overlap

# a square turned by 45 degrees around (10, 10): 1 + 3 + ... + 19 pixels on rows 0..9, 21 on row 10, the same below
DIAMOND = [10, 0, 20, 10, 10, 20, 0, 10]
DIAMOND_PIXELS = 2 * 100 + 21


@pytest.mark.parametrize("a, b, expected", [
    ([0, 0, 10, 10], [5, 0, 10, 10], 50 / 150),           # half shifted: 50 pixels shared, 150 in the union
    ([0, 0, 10, 10], [20, 20, 5, 5], 0.0),                # apart
    ([0, 0, 10, 10], [10, 0, 10, 10], 0.0),               # touching edges share no pixel
    ([0.4, 0.4, 10.4, 9.6], [0, 0, 10, 10], 1.0),         # values round to whole pixels: the same box
    ([0.5, 0, 10, 10], [0, 0, 10, 10], 1.0),              # halves round to even: 0.5 -> 0
    ([1.5, 0, 10, 10], [0, 0, 10, 10], 80 / 120),         # 1.5 -> 2: columns 2..11 against 0..9
    ([0, 0, 10, 10], box_to_polygon([0, 0, 10, 10]), 100 / 121),   # a polygon also covers its right column, bottom row
    ([0, 0, 21, 21], DIAMOND, DIAMOND_PIXELS / 441),
    (DIAMOND, DIAMOND, 1.0),
    ([0, 0, 5, 4], [0, 0, 4, 0, 0, 3], 11 / 20),          # a triangle: rows of 5, 3 (2.67 truncated), 2, 1 pixels
])
def test_overlap_counted_by_hand(a, b, expected):
    assert raster_overlap(a, b) == pytest.approx(expected, abs=1e-12)
    assert raster_overlap(b, a) == pytest.approx(expected, abs=1e-12)


def test_only_the_image_pixels_count_with_bounds():
    # a box half outside the image: inside it, it is the ground truth
    assert raster_overlap([-10, 0, 20, 10], [0, 0, 10, 10], bounds=(100, 100)) == 1.0
    assert raster_overlap([-10, 0, 20, 10], [0, 0, 10, 10]) == 0.5
    # the diamond in an image 10 pixels high keeps rows 0..9 (100 pixels); the box [0, 0, 20, 10] holds them
    assert raster_overlap([0, 0, 20, 10], DIAMOND, bounds=(50, 10)) == pytest.approx(100 / 200)
    # a box wholly outside the image shares nothing; NaN (an absent target) gives NaN
    assert raster_overlap([200, 200, 5, 5], [0, 0, 10, 10], bounds=(100, 100)) == 0.0
    assert np.isnan(raster_overlap([np.nan] * 4, [0, 0, 10, 10]))


def test_the_toolkits_edge_cases():
    # two regions within one pixel row count as the same region; a joint extent of one image column gives 0
    assert raster_overlap([0, 0, 5, 1], [10, 0, 5, 1]) == 1.0
    assert raster_overlap([-5, 0, 6, 10], [-8, 0, 4, 10], bounds=(100, 100)) == 0.0
    with pytest.raises(TfLuError, match="4 values"):
        raster_overlap([1, 2, 3, 4, 5], [0, 0, 1, 1])


def test_box_polygon_round_trip():
    box = np.array([3.0, 4.0, 10.0, 6.0])
    assert box_to_polygon(box).tolist() == [3, 4, 13, 4, 13, 10, 3, 10]
    assert polygon_to_box(box_to_polygon(box)).tolist() == box.tolist()
    assert polygon_to_box(DIAMOND).tolist() == [0, 0, 20, 20]
    assert np.all(np.isnan(polygon_to_box(np.full(8, np.nan))))


def test_polygon_problems():
    assert polygon_problem(DIAMOND) is None
    assert "cross" in polygon_problem([0, 0, 10, 10, 10, 0, 0, 10])       # corners out of order: a bow tie
    assert "zero area" in polygon_problem([0, 0, 1, 1, 2, 2, 3, 3])
    assert "finite" in polygon_problem([0, 0, 1, np.inf, 2, 2, 3, 3])
    assert "even number" in polygon_problem([0, 0, 1, 1, 2])
