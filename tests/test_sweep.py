"""A parameter sweep read from a benchmark summary: points, their paired differences, the table and the plot."""
import os

import pytest

from tf_lu.errors import TfLuError
from tf_lu.evaluation.sweep import sweep_points, sweep_table, write_sweep


def _entry(aucs):
    return {"auc": sum(aucs.values()) / len(aucs), "precision": 0.5,
            "sequences": {name: {"auc": auc} for name, auc in aucs.items()}}


SUMMARY = {"trackers": {
    "none": _entry({"a": 0.60, "b": 0.40}),
    "ema-0.10": _entry({"a": 0.50, "b": 0.30}),
    "ema-0.02": _entry({"a": 0.62, "b": 0.40}),
    "ema-extra": _entry({"a": 0.1, "b": 0.1}),   # not a number after the prefix: not part of the sweep
}}


def test_points_are_sorted_by_value_with_differences_from_the_reference():
    points = sweep_points(SUMMARY, "ema-", reference="none")
    assert [p.value for p in points] == [0.02, 0.10]
    assert points[0].difference == pytest.approx(0.01) and points[0].record == (1, 0, 1)
    assert points[1].difference == pytest.approx(-0.10) and points[1].interval == pytest.approx((-0.10, -0.10))
    assert points[1].record == (0, 2, 0)


def test_without_a_reference_there_are_no_differences():
    points = sweep_points(SUMMARY, "ema-")
    assert all(p.difference is None and p.interval is None for p in points)
    assert "AUC -" not in sweep_table(points)


def test_table_names_the_best_point():
    table = sweep_table(sweep_points(SUMMARY, "ema-", reference="none"), reference="none")
    assert "| 0.02 | ema-0.02 | 0.510 | 0.500 | +0.010 [+0.000, +0.020] | 1 / 0 / 1 |" in table
    assert "Highest mean AUC: ema-0.02" in table


def test_write_sweep_writes_table_and_plot(tmp_path):
    write_sweep(str(tmp_path), SUMMARY, "ema-", reference="none", xlabel="alpha", log_x=True)
    assert os.path.getsize(tmp_path / "sweep.png") > 1000
    assert "ema-0.10" in (tmp_path / "sweep.md").read_text()


def test_no_matching_tracker_or_unknown_reference_is_a_clear_error():
    with pytest.raises(TfLuError, match="no tracker named lr-<number>"):
        sweep_points(SUMMARY, "lr-")
    with pytest.raises(TfLuError, match="reference tracker 'absent'"):
        sweep_points(SUMMARY, "ema-", reference="absent")
