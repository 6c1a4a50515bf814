"""Paired comparison of trackers (bootstrap interval, wins / losses / ties) against hand-computed values."""
import pytest

from tf_lu.errors import TfLuError
from tf_lu.evaluation.compare import bootstrap_interval, comparison_table, paired_comparison, paired_difference
from tf_lu.evaluation.otb import markdown_report


def test_constant_differences_give_a_point_interval():
    assert bootstrap_interval([0.1, 0.1, 0.1]) == pytest.approx((0.1, 0.1))


def test_two_values_interval_spans_both():
    # means of 2 draws from {0, 1}: 0 (p 1/4), 0.5 (p 1/2), 1 (p 1/4): the 2.5th percentile is 0, the 97.5th is 1
    assert bootstrap_interval([0.0, 1.0]) == pytest.approx((0.0, 1.0))


def test_paired_difference_counts_and_mean():
    scores = {"a": 0.5, "b": 0.7, "c": 0.3, "only_here": 0.9}
    reference = {"a": 0.4, "b": 0.7, "c": 0.5}
    result = paired_difference(scores, reference)
    assert result["sequences"] == 3
    assert (result["wins"], result["losses"], result["ties"]) == (1, 1, 1)
    assert result["mean_difference"] == pytest.approx(-0.1 / 3)
    assert -0.2 - 1e-9 <= result["low"] <= result["mean_difference"] <= result["high"] <= 0.1 + 1e-9


def _summary(**aucs):
    return {name: {"sequences": {s: {"auc": v} for s, v in seqs.items()}} for name, seqs in aucs.items()}


def test_paired_comparison_and_table():
    trackers = _summary(none={"x": 0.5, "y": 0.6}, learned={"x": 0.6, "y": 0.7})
    comparison = paired_comparison(trackers, "none")
    assert list(comparison) == ["learned"]
    assert comparison["learned"]["mean_difference"] == pytest.approx(0.1)
    assert comparison["learned"]["low"] == pytest.approx(0.1) and comparison["learned"]["high"] == pytest.approx(0.1)
    assert "| learned | +0.100 | [+0.100, +0.100] | 2 / 0 / 0 |" in comparison_table(comparison, "none")


def test_unknown_reference_is_a_clear_error():
    with pytest.raises(TfLuError, match="reference tracker"):
        paired_comparison(_summary(none={"x": 0.5}), "ema")
    with pytest.raises(TfLuError, match="no sequence"):
        paired_difference({"x": 0.5}, {"y": 0.5})


def test_report_has_the_comparison_section():
    summary = {"machine": "test", "trackers": {
        name: {"auc": 0.5, "precision": 0.5, "fps": 1.0, "frames": 2,
               "sequences": {"x": {"auc": 0.5}, "y": {"auc": 0.5}}} for name in ("none", "ema")}}
    text = markdown_report(summary)
    assert "## Paired comparison with none" in text and "| ema | +0.000 |" in text
    assert "Paired comparison" not in markdown_report({"machine": "t", "trackers": {"none": summary["trackers"]["none"]}})
