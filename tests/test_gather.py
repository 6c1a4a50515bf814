"""Gathering several benchmark runs into one results folder (tf_lu/evaluation/gather.py)."""
import os

import pytest

from tf_lu.errors import TfLuError
from tf_lu.evaluation.gather import gather_results, gather_runs, parse_merges


def write_run(root, tracker, sequences):
    os.makedirs(root / tracker, exist_ok=True)
    for name in sequences:
        (root / tracker / f"{name}.txt").write_text(f"{tracker} {name}\n")


def test_parse_merges():
    assert parse_merges("oof=a,b; x = c ,d") == {"oof": ["a", "b"], "x": ["c", "d"]}
    assert parse_merges(None) == {}
    # --merge given several times (argparse append)
    assert parse_merges(["oof=a,b", "x=c;y=d"]) == {"oof": ["a", "b"], "x": ["c"], "y": ["d"]}
    with pytest.raises(TfLuError, match="given twice"):
        parse_merges(["oof=a,b", "oof=c,d"])
    for bad in ("oof", "=a", "oof="):
        with pytest.raises(TfLuError, match="--merge"):
            parse_merges(bad)


def test_fold_runs_are_merged_into_one_tracker(tmp_path):
    write_run(tmp_path / "f0", "none", ["s1", "s2"])
    write_run(tmp_path / "f0", "fold0", ["s1", "s2"])
    write_run(tmp_path / "f1", "none", ["s3"])
    write_run(tmp_path / "f1", "fold1", ["s3"])
    out = tmp_path / "all"
    names = gather_results([str(tmp_path / "f0"), str(tmp_path / "f1")], str(out), {"oof": ["fold0", "fold1"]})
    assert names == ["none", "oof"]
    assert sorted(os.listdir(out / "oof")) == ["s1.txt", "s2.txt", "s3.txt"]
    assert (out / "oof" / "s3.txt").read_text() == "fold1 s3\n"
    assert sorted(os.listdir(out / "none")) == ["s1.txt", "s2.txt", "s3.txt"]


def test_a_sequence_from_two_sources_is_an_error(tmp_path):
    write_run(tmp_path / "f0", "fold0", ["s1"])
    write_run(tmp_path / "f1", "fold1", ["s1"])
    with pytest.raises(TfLuError, match="oof/s1.txt comes from both"):
        gather_results([str(tmp_path / "f0"), str(tmp_path / "f1")], str(tmp_path / "all"), {"oof": ["fold0", "fold1"]})
    with pytest.raises(TfLuError, match="merged into both"):
        gather_results([str(tmp_path / "f0")], str(tmp_path / "x"), {"a": ["fold0"], "b": ["fold0"]})
    with pytest.raises(TfLuError, match="not found"):
        gather_results([str(tmp_path / "missing")], str(tmp_path / "y"))


def test_gather_runs_rewrites_its_own_folder_only(tmp_path):
    write_run(tmp_path / "f0", "none", ["s1"])
    out = tmp_path / "report"
    first = gather_runs(str(out), [str(tmp_path / "f0")])
    (tmp_path / "f0" / "none" / "s1.txt").unlink()
    write_run(tmp_path / "f0", "none", ["s2"])
    assert gather_runs(str(out), [str(tmp_path / "f0")]) == first
    assert os.listdir(first + "/none") == ["s2.txt"]
    with pytest.raises(TfLuError, match="must not be inside"):
        gather_runs(str(out), [first])
