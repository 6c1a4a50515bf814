"""Speed against accuracy from one benchmark's summary: fps and AUC relative to a reference, a table and a plot."""
import pytest

from tf_lu.errors import TfLuError
from tf_lu.evaluation.speed_plot import speed_rows, speed_table, write_speed_plot

SUMMARY = {"trackers": {"slow": {"auc": 0.60, "fps": 20.0}, "fast": {"auc": 0.59, "fps": 50.0},
                        "untimed": {"auc": 0.7, "fps": None}}}


def test_rows_are_fastest_first_relative_to_the_reference():
    rows, reference = speed_rows(SUMMARY, "slow")
    assert reference == "slow" and [row[0] for row in rows] == ["fast", "slow"]
    assert rows[0][3] == pytest.approx(2.5) and rows[0][4] == pytest.approx(-0.01)
    assert speed_rows(SUMMARY)[1] == "slow"          # default: the first timed tracker
    assert "| fast | 50.0 | 0.5900 | 2.50x | -0.0100 |" in speed_table(rows, reference)


def test_the_plot_and_table_are_written(tmp_path):
    table = write_speed_plot(str(tmp_path), SUMMARY, "slow")
    assert (tmp_path / "speed_auc.png").stat().st_size > 0
    assert (tmp_path / "speed_auc.md").read_text().strip() == table


def test_results_without_timings_are_an_error():
    with pytest.raises(TfLuError, match="timings"):
        speed_rows({"trackers": {"a": {"auc": 0.5, "fps": None}}})
