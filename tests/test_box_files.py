"""OTB box files (tf_lu/data/box_files.py): the one reader and the one atomic writer."""
import os

import numpy as np
import pytest

from tf_lu.data.box_files import format_box_lines, read_box_file, write_box_file
from tf_lu.errors import TfLuError

BOXES = [[0, 0, 10, 20], [1.25, -2, 3.5, 4.123456], [np.nan] * 4, [1e-9, 2.0005, 3, 4]]


def test_formats_of_results_ground_truth_and_tracked_videos():
    assert format_box_lines(BOXES, decimals=3).splitlines() == [
        "1.000,1.000,10.000,20.000", "2.250,-1.000,3.500,4.123", "NaN,NaN,NaN,NaN", "1.000,3.001,3.000,4.000"]
    assert format_box_lines(BOXES, decimals=2).splitlines()[1] == "2.25,-1.00,3.50,4.12"
    assert format_box_lines(BOXES, decimals=2, trim=True).splitlines() == [
        "1,1,10,20", "2.25,-1,3.5,4.12", "NaN,NaN,NaN,NaN", "1,3,3,4"]
    assert format_box_lines([[-1.001, 0, 1, 1]], decimals=2, trim=True) == "0,1,1,1\n"


def test_absent_rows_are_nan_rows():
    text = format_box_lines([[0, 0, 5, 5], [1, 1, 5, 5]], decimals=2, absent=[False, True])
    assert text == "1.00,1.00,5.00,5.00\nNaN,NaN,NaN,NaN\n"
    with pytest.raises(TfLuError, match="2 boxes but 1 absent flags"):
        format_box_lines([[0, 0, 5, 5], [1, 1, 5, 5]], absent=[False])


def test_round_trip_and_no_temporary_file_left(tmp_path):
    path = str(tmp_path / "boxes.txt")
    assert write_box_file(path, BOXES, decimals=3) == path
    back = read_box_file(path)
    np.testing.assert_allclose(back[[0, 1, 3]], np.asarray(BOXES)[[0, 1, 3]], atol=5e-4)
    assert np.all(np.isnan(back[2]))
    write_box_file(path, BOXES[:1], decimals=3)       # replaces the file as a whole
    assert read_box_file(path).shape == (1, 4)
    assert os.listdir(tmp_path) == ["boxes.txt"]


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "boxes.txt"
    path.write_text("1,1,5,5\n")
    with pytest.raises(ValueError):
        write_box_file(str(path), [[0, 0, "x", 1]])
    with pytest.raises(OSError):
        write_box_file(str(tmp_path / "missing" / "boxes.txt"), BOXES)
    assert path.read_text() == "1,1,5,5\n" and os.listdir(tmp_path) == ["boxes.txt"]


def test_bad_box_file_names_the_file_and_line(tmp_path):
    path = tmp_path / "gt.txt"
    path.write_text("1,1,5,5\n1,2,3\n")
    with pytest.raises(TfLuError, match=r"gt.txt, line 2: expected 4 values, got 3"):
        read_box_file(str(path))
    with pytest.raises(TfLuError, match="missing box file"):
        read_box_file(str(tmp_path / "none.txt"))
