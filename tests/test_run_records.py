"""A result knows what made it (tf_lu/fingerprints.py): a rerun into the same folder continues only what is unchanged;
a change of images, ground truth, tracker config, weights, frame count or protocol is refused with one error line
naming it, and no figure of the old inputs is reported."""
import json
import os
import shutil

import numpy as np
import pytest

from conftest import ROOT
from tf_lu.cli.main import main
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence, write_otb_folder
from tf_lu.errors import TfLuError
from tf_lu.fingerprints import RunRecord, changed_keys, sequence_fingerprint

SMALL = SyntheticConfig(num_frames=6, height=96, width=128)
WEIGHTS = os.path.join(ROOT, "saved_models", "siamfc_half", "model.weights.h5")
OTHER_WEIGHTS = os.path.join(ROOT, "saved_models", "siamfc_half_lookalike", "model.weights.h5")


def write_data(folder, seeds=(1, 2)):
    for number, seed in enumerate(seeds):
        write_otb_folder(generate_sequence(seed, SMALL, name=f"seq{number}"), os.path.join(folder, f"seq{number}"))
    return folder


def write_tracker(folder, alpha=0.02):
    """``my-ema.yaml``: the shipped EMA tracker with its own copy of the weights."""
    os.makedirs(folder, exist_ok=True)
    if not os.path.isfile(os.path.join(folder, "w.weights.h5")):
        shutil.copy(WEIGHTS, os.path.join(folder, "w.weights.h5"))
    path = os.path.join(folder, "my-ema.yaml")
    with open(path, "w") as handle:
        base = os.path.join(ROOT, "configs", "trackers", "siamfc-ema.yaml")
        handle.write(f"base: {base}\nweights: w.weights.h5\nupdater:\n  ema: {{alpha: {alpha}}}\n")
    return path


def benchmark(capsys, data, tracker, out, *extra):
    code = main(["benchmark", "--data", data, "--trackers", f"opencv-kcf,{tracker}", "--out", out, "--no-progress",
                 *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.strip().splitlines()


def snapshot(out):
    """Every file under ``out`` with its bytes."""
    return {os.path.relpath(os.path.join(base, n), out): open(os.path.join(base, n), "rb").read()
            for base, _, names in os.walk(out) for n in names}


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("records")
    data, trackers, out = str(root / "data"), str(root / "trackers"), str(root / "out")
    write_data(data)
    tracker = write_tracker(trackers)
    assert main(["benchmark", "--data", data, "--trackers", f"opencv-kcf,{tracker}", "--out", out,
                 "--no-progress"]) == 0
    return root, data, tracker, out


def test_an_unchanged_rerun_runs_nothing_and_reports_the_same(first_run, capsys):
    _, data, tracker, out = first_run
    before = snapshot(out)
    code, printed, err = benchmark(capsys, data, tracker, out)
    assert code == 0, err
    after = snapshot(out)
    results = [name for name in before if name.startswith("results")]
    assert results and all(after[name] == before[name] for name in results)      # no run was made again
    summary = lambda files: {k: v for k, v in json.loads(files["summary.json"]).items() if k != "machine"}
    assert summary(after) == summary(before)


@pytest.mark.parametrize("change, fragment", [
    ("images", "sequence 'seq0' changed (ground truth, images)"),
    ("ground truth", "sequence 'seq1' changed (ground truth)"),
    ("alpha", "tracker 'my-ema' changed (config updater.ema.alpha)"),
    ("weights", "tracker 'my-ema' changed (weights w.weights.h5)"),
    ("max frames", "changed (frame count"),
    ("protocol", "option 'protocol' changed ('otb' -> 'vot')"),
])
def test_a_changed_input_is_refused_and_nothing_stale_is_reported(first_run, tmp_path, capsys, change, fragment):
    _, data, tracker, out = first_run
    folder = str(tmp_path / "out")
    shutil.copytree(out, folder)
    data_copy, trackers = str(tmp_path / "data"), str(tmp_path / "trackers")
    shutil.copytree(data, data_copy)
    shutil.copytree(os.path.dirname(tracker), trackers)
    tracker = write_tracker(trackers)
    extra = []
    if change == "images":                   # another sequence under the same name, same length
        shutil.rmtree(os.path.join(data_copy, "seq0"))
        write_otb_folder(generate_sequence(9, SMALL, name="seq0"), os.path.join(data_copy, "seq0"))
    elif change == "ground truth":
        path = os.path.join(data_copy, "seq1", "groundtruth_rect.txt")
        lines = open(path).read().splitlines()
        x, y, w, h = (float(v) for v in lines[3].split(","))
        lines[3] = f"{x + 3},{y},{w},{h}"
        open(path, "w").write("\n".join(lines) + "\n")
    elif change == "alpha":
        tracker = write_tracker(trackers, alpha=1.0)
    elif change == "weights":                # other weights under the same file name
        shutil.copy(OTHER_WEIGHTS, os.path.join(trackers, "w.weights.h5"))
    elif change == "max frames":
        extra = ["--max-frames", "4"]
    elif change == "protocol":
        extra = ["--protocol", "vot"]
    before = snapshot(folder)
    code, printed, err = benchmark(capsys, data_copy, tracker, folder, *extra)
    assert code == 2 and len(err) == 1 and err[0].startswith("error: "), err
    assert fragment in err[0] and "give another output folder" in err[0], err[0]
    assert printed == "" and snapshot(folder) == before                          # nothing reported, nothing touched
    fresh = str(tmp_path / "fresh")                                              # a new folder runs the new inputs
    assert benchmark(capsys, data_copy, tracker, fresh, *extra)[0] == 0


def test_results_without_a_record_are_refused(first_run, tmp_path, capsys):
    _, data, tracker, out = first_run
    folder = str(tmp_path / "old")
    shutil.copytree(out, folder)
    os.remove(os.path.join(folder, "fingerprints.json"))
    code, _, err = benchmark(capsys, data, tracker, folder)
    assert code == 2 and len(err) == 1 and "without a record of what made them" in err[0]


def test_new_trackers_and_sequences_join_the_record(first_run, tmp_path, capsys):
    _, data, tracker, out = first_run
    folder = str(tmp_path / "grow")
    shutil.copytree(out, folder)
    extra = str(tmp_path / "extra")
    write_otb_folder(generate_sequence(5, SMALL, name="seq9"), os.path.join(extra, "seq9"))
    code = main(["benchmark", "--data", f"{data},{extra}", "--trackers", "opencv-kcf,opencv-csrt", "--out", folder,
                 "--no-progress"])
    assert code == 0, capsys.readouterr().err
    record = RunRecord(folder)
    assert set(record.entries["sequence"]) == {"seq0", "seq1", "seq9"}
    assert set(record.entries["tracker"]) == {"opencv-kcf", "opencv-csrt", "my-ema"}


def test_search_ema_continues_only_on_the_same_inputs(tmp_path, capsys, monkeypatch):
    from tf_lu.apps import tuning
    monkeypatch.setattr(tuning, "track_auc", lambda tracker, sequences, progress=None: tracker.updater.alpha)
    data, out = write_data(str(tmp_path / "data")), str(tmp_path / "search")
    args = ["search", "ema", "--data", data, "--out", out, "--alphas", "0.01,0.03", "--max-frames", "4"]
    assert main(args) == 0
    assert main(args) == 0 and capsys.readouterr().out.splitlines()[-1] == "best alpha: 0.03"
    for changed, fragment in ((["--max-frames", "5"], "sequences changed (seq0.frames, seq0.ground_truth"),
                              (["--alphas", "0.01,0.02"], "option 'alphas' changed"),
                              (["--data", write_data(str(tmp_path / "other"), seeds=(3, 4))], "sequences changed")):
        code = main(args + changed)
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and fragment in err[0], err


def test_changed_keys_and_sequence_fingerprints():
    assert changed_keys({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": 1, "c": 5}, "e": 3}) == ["a.c", "d", "e"]
    sequence = generate_sequence(1, SMALL, name="s")
    same = generate_sequence(1, SMALL, name="s")
    assert sequence_fingerprint(sequence) == sequence_fingerprint(same)
    same.boxes = same.boxes + np.r_[1.0, 0, 0, 0]
    assert changed_keys(sequence_fingerprint(sequence), sequence_fingerprint(same)) == ["ground_truth"]
    with pytest.raises(TfLuError, match="without a record"):
        RunRecord("/nonexistent-folder", results_exist=True)
