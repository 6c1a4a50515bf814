"""Polygon geometry for VOT scoring: conversions, exact overlap against hand values, bounds, bad polygons."""
import numpy as np
import pytest

from tf_lu.errors import TfLuError
from tf_lu.geometry.polygons import (box_to_polygon, polygon_problem, polygon_to_box, region_overlap,
                                     region_to_polygon)

# a square turned by 45 degrees around (10, 10): diagonals of 20 px, area 20 * 20 / 2 = 200
DIAMOND = [10, 0, 20, 10, 10, 20, 0, 10]


def test_box_polygon_round_trip():
    box = np.array([3.0, 4.0, 10.0, 6.0])
    assert box_to_polygon(box).tolist() == [3, 4, 13, 4, 13, 10, 3, 10]
    assert polygon_to_box(box_to_polygon(box)).tolist() == box.tolist()
    assert polygon_to_box(DIAMOND).tolist() == [0, 0, 20, 20]
    assert np.all(np.isnan(polygon_to_box(np.full(8, np.nan))))


@pytest.mark.parametrize("a, b, expected", [
    ([0, 0, 10, 10], [5, 0, 10, 10], 50 / 150),          # half shifted: 50 shared, 150 in the union
    ([0, 0, 10, 10], [20, 20, 5, 5], 0.0),               # apart
    ([0, 0, 20, 20], DIAMOND, 200 / 400),                # the diamond inside its bounding box
    ([10, 0, 10, 20], DIAMOND, 100 / 300),               # the right half of the diamond: 100 shared
    (DIAMOND, DIAMOND, 1.0),
    ([0, 0, 10, 10], [10, 0, 10, 10], 0.0),              # touching edges share no area
])
def test_overlap_hand_values(a, b, expected):
    assert region_overlap(a, b) == pytest.approx(expected, abs=1e-12)
    assert region_overlap(b, a) == pytest.approx(expected, abs=1e-12)


def test_overlap_is_bounded_to_the_image():
    # a box half outside the image: clipped to [0, 10] x [0, 10], it equals the ground truth
    assert region_overlap([-10, 0, 20, 10], [0, 0, 10, 10], bounds=(100, 100)) == pytest.approx(1.0)
    assert region_overlap([-10, 0, 20, 10], [0, 0, 10, 10]) == pytest.approx(0.5)
    # the diamond cut by an image 10 px high keeps its upper half (area 100); the box [0,0,20,10] covers it
    assert region_overlap([0, 0, 20, 10], DIAMOND, bounds=(50, 10)) == pytest.approx(100 / 200)
    # a box wholly outside the image has overlap 0; NaN regions give NaN
    assert region_overlap([200, 200, 5, 5], [0, 0, 10, 10], bounds=(100, 100)) == 0.0
    assert np.isnan(region_overlap([np.nan] * 4, [0, 0, 10, 10]))


def test_overlap_matches_shapely_on_random_rotated_rectangles():
    geometry = pytest.importorskip("shapely.geometry")
    rng = np.random.default_rng(0)
    for _ in range(200):
        centre, (w, h), angle = rng.uniform(20, 80, 2), rng.uniform(5, 40, 2), rng.uniform(0, np.pi)
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        corners = (np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2) @ rotation.T + centre
        box = np.r_[rng.uniform(0, 90, 2), rng.uniform(1, 40, 2)]
        frame = geometry.box(0, 0, 100, 90)
        truth = geometry.Polygon(corners).intersection(frame)
        guess = geometry.box(box[0], box[1], box[0] + box[2], box[1] + box[3]).intersection(frame)
        expected = truth.intersection(guess).area / truth.union(guess).area
        assert region_overlap(box, corners.ravel(), bounds=(100, 90)) == pytest.approx(expected, abs=1e-9)


def test_polygon_problems():
    assert polygon_problem(DIAMOND) is None
    assert "cross" in polygon_problem([0, 0, 10, 10, 10, 0, 0, 10])       # corners out of order: a bow tie
    assert "zero area" in polygon_problem([0, 0, 1, 1, 2, 2, 3, 3])
    assert "finite" in polygon_problem([0, 0, 1, np.inf, 2, 2, 3, 3])
    assert "even number" in polygon_problem([0, 0, 1, 1, 2])
    with pytest.raises(TfLuError, match="4 values"):
        region_to_polygon([1, 2, 3, 4, 5])
