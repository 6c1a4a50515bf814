"""The evidence for a choice over several data sets, apart and pooled (tf_lu/evaluation/evidence.py, tf-lu report
--set), against hand-computed means and differences."""
import json
import os

import numpy as np
import pytest

from test_cli import assert_user_error, run_cli
from tf_lu.cli.report import parse_sets
from tf_lu.errors import TfLuError
from tf_lu.evaluation.evidence import evidence, evidence_markdown


def summary(aucs):
    """An OTB summary dict from ``{tracker: {sequence: auc}}``."""
    return {"protocol": "otb", "trackers": {t: {"auc": float(np.mean(list(s.values()))),
                                                "sequences": {k: {"auc": v} for k, v in s.items()}}
                                            for t, s in aucs.items()}}


SETS = {"val": summary({"ref": {"a": 0.5, "b": 0.7}, "new": {"a": 0.6, "b": 0.6}}),
        "dev": summary({"ref": {"a": 0.4, "c": 0.8, "d": 0.6}, "new": {"a": 0.6, "c": 0.8, "d": 0.7}})}


def test_sets_apart_and_pooled_against_hand_computed_values():
    result = evidence(SETS, reference="ref")
    new = result["trackers"]["new"]
    assert new["val"]["auc"] == pytest.approx(0.6) and new["dev"]["auc"] == pytest.approx(0.7)
    assert new["pooled"]["auc"] == pytest.approx((0.6 + 0.6 + 0.6 + 0.8 + 0.7) / 5) and new["pooled"]["sequences"] == 5
    pooled = new["pooled"]["vs_reference"]          # differences +0.1, -0.1 (val), +0.2, 0, +0.1 (dev)
    assert pooled["mean_difference"] == pytest.approx(0.3 / 5)
    assert (pooled["wins"], pooled["losses"], pooled["ties"]) == (3, 1, 1)
    assert pooled["low"] <= 0.06 <= pooled["high"]
    assert new["val"]["vs_reference"]["mean_difference"] == pytest.approx(0.0)
    assert result["trackers"]["ref"]["pooled"]["vs_reference"] is None
    text = evidence_markdown(result)
    assert "| tracker | val (2 seq.) | dev (3 seq.) | pooled (5 seq.) |" in text
    assert "| new | 0.600 (+0.000" in text and "| ref | 0.600 | 0.600 | 0.600 |" in text


def test_a_tracker_missing_from_a_set_and_a_bad_reference_are_errors():
    sets = {**SETS, "other": summary({"ref": {"a": 0.5}})}
    assert list(evidence(sets)["trackers"]) == ["ref"]              # only trackers every set has, by default
    with pytest.raises(TfLuError, match="trackers not in every set's results: new"):
        evidence(sets, trackers=["ref", "new"])
    with pytest.raises(TfLuError, match="reference tracker 'x'"):
        evidence(SETS, reference="x")


def test_set_options_are_parsed_and_checked():
    assert parse_sets(["val=r/val:d/val", "dev=C:/r:/d"]) == {"val": ("r/val", "d/val"), "dev": ("C:/r", "/d")}
    for bad in (["val"], ["val=r"], ["=r:d"], ["a=r:d", "a=s:e"]):
        with pytest.raises(TfLuError):
            parse_sets(bad)


def test_report_over_two_sets(capsys, tmp_path, generated_otb_folder):
    names = sorted(os.listdir(generated_otb_folder))
    sets = []
    for k, name in enumerate(names):
        run = tmp_path / f"run{k}"
        code, _, err = run_cli(capsys, "benchmark", "--data", generated_otb_folder, "--sequences", name,
                               "--trackers", "opencv-kcf,opencv-mosse", "--out", run, "--no-progress")
        assert code == 0, err
        data = tmp_path / f"data{k}"
        data.mkdir()
        os.symlink(os.path.join(generated_otb_folder, name), data / name)
        sets += ["--set", f"s{k}={run / 'results'}:{data}"]
    out = tmp_path / "evidence"
    code, printed, err = run_cli(capsys, "report", *sets, "--reference", "opencv-kcf", "--out", out)
    assert code == 0, err
    result = json.loads((out / "evidence.json").read_text())
    assert result["sets"] == ["s0", "s1"] and result["trackers"]["opencv-mosse"]["pooled"]["sequences"] == 2
    for k in range(2):
        one = json.loads((out / f"s{k}" / "summary.json").read_text())
        assert result["trackers"]["opencv-mosse"][f"s{k}"]["auc"] == pytest.approx(
            one["trackers"]["opencv-mosse"]["auc"])
    assert "pooled (2 seq.)" in printed and (out / "evidence.md").read_text() == printed.rstrip("\n") + "\n"
    code, _, err = run_cli(capsys, "report", *sets, "--results", "x", "--out", out)
    assert_user_error(code, err, "--set replaces --results and --data")
    code, _, err = run_cli(capsys, "report", "--out", out)
    assert_user_error(code, err, "give --results and --data, or one --set per data set")
