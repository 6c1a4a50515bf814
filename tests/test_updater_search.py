"""keras-tuner search of the learned updater (tf_lu.apps.search_updater, tf-lu search updater) on tiny generated data:
a tiny extractor, generated feature records and two folds of generated sequences standing in for the crop walks."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import yaml

from tf_lu.errors import TfLuError

NAMES = ("walk-a", "walk-b", "walk-c", "walk-d")
SPACE_ARGS = ["--hidden", "2,4", "--interval", "1,2", "--unroll", "3", "--lambda-range", "0.0,0.4,0.2",
              "--dropout-range", "0.0,0.2,0.1"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """``{"config", "features", "crop_walks"}``: a width-0.1 SiamFC config, features of the four sequences (6 frames
    of 10 x 10 x 26), folds [walk-a] and [walk-b] as 8-frame generated OTB sequences."""
    import tensorflow as tf
    from tf_lu.data.records.features import feature_example, write_feature_meta
    from tf_lu.data.sequences import Sequence, write_otb_folder
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
    from tf_lu.models.siamfc import SiamFCNet
    root = tmp_path_factory.mktemp("updater_search")
    SiamFCNet(0.1).build_for().save_weights(str(root / "model.weights.h5"))
    config = {"backbone": {"width": 0.1}, "weights": "model.weights.h5",
              "updater": {"kind": "learned", "learned": {"layers": 1, "hidden": 2}}, "meta": {"batch_size": 2}}
    (root / "tiny.yaml").write_text(yaml.safe_dump(config))
    rng = np.random.default_rng(0)
    os.makedirs(root / "features")
    with tf.io.TFRecordWriter(str(root / "features" / "feat-L006-00000-gen.tfrecord")) as writer:
        for name in NAMES:
            writer.write(feature_example(name.encode(), rng.normal(0, 1, (6, 10, 10, 26)), np.zeros(6, np.int64)))
    write_feature_meta(str(root / "features"), {"shape": [10, 10, 26], "dtype": "float16"})
    generated = generate_dataset(1, 2, SyntheticConfig(num_frames=8, height=96, width=128))
    for fold, (name, sequence) in enumerate(zip(NAMES, generated)):
        renamed = Sequence(name=name, frames=sequence.frames, boxes=sequence.boxes, absent=sequence.absent)
        write_otb_folder(renamed, str(root / "walks" / f"fold{fold}" / name))
    (root / "walks" / "folds.json").write_text(json.dumps({"folds": [[NAMES[0]], [NAMES[1]]]}))
    return {"config": str(root / "tiny.yaml"), "features": str(root / "features"), "crop_walks": str(root / "walks"),
            "root": root}


def search_args(tiny, out, trials):
    return ["search", "updater", "--config", tiny["config"], "--features", tiny["features"], "--crop-walks",
            tiny["crop_walks"], "--out", out, "--trials", str(trials), "--steps", "2", "--max-frames", "6",
            *SPACE_ARGS]


@pytest.mark.slow
def test_search_scores_out_of_fold_reports_and_resumes(tiny, capsys):
    from tf_lu.cli.main import main
    from tf_lu.config import load_config
    out = str(tiny["root"] / "search")
    assert main(search_args(tiny, out, 1)) == 0
    first = json.load(open(os.path.join(out, "trials.json"), encoding="utf-8"))["trials"]
    assert len(first) == 1 and 0.0 <= first[0]["auc"] <= 1.0
    trial_dir = os.path.join(out, "updater_search", f"trial_{first[0]['trial']}")
    for fold, held in enumerate(NAMES[:2]):   # each fold's updater was meta-trained without that fold
        with open(os.path.join(trial_dir, f"fold{fold}", "train_summary.json"), encoding="utf-8") as handle:
            assert json.load(handle)["meta"]["hold_out"] == [held]
    assert main(search_args(tiny, out, 2)) == 0            # the same command, two trials: the first is kept
    rows = json.load(open(os.path.join(out, "trials.json"), encoding="utf-8"))["trials"]
    assert len(rows) == 2 and first[0] in rows
    assert os.path.getsize(os.path.join(out, "trials.png")) > 0
    assert "| trial | AUC | fold 0 | fold 1 |" in open(os.path.join(out, "trials.md"), encoding="utf-8").read()
    best = load_config(os.path.join(out, "best_tracker.yaml"))
    assert best.updater.learned.hidden == rows[0]["hidden"] and best.meta.unroll == 3
    assert best.updater.learned.weights is None
    assert best.backbone.width == 0.1                       # the searched config is its base
    assert "best_tracker.yaml" in capsys.readouterr().out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_chief_and_one_worker_run_two_trials(tiny):
    out = str(tiny["root"] / "parallel")
    env = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(free_port()),
           "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [sys.executable, "-m", "tf_lu", *search_args(tiny, out, 2)]
    processes = [subprocess.Popen(command, env={**env, "KERASTUNER_TUNER_ID": tuner_id}, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for tuner_id in ("chief", "tuner0")]
    outputs = [p.communicate(timeout=600)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    rows = json.load(open(os.path.join(out, "trials.json"), encoding="utf-8"))["trials"]
    assert len(rows) == 2 and all(r["auc"] is not None for r in rows)
    assert "best_tracker.yaml" in outputs[0] and "best_tracker.yaml" not in outputs[1]   # the chief reports


def test_missing_folds_and_bad_numbers_are_one_line_errors(tmp_path):
    from tf_lu.apps.search_updater import SearchBudget, read_folds
    from tf_lu.cli.main import main
    with pytest.raises(TfLuError, match="cannot read the folds"):
        read_folds(str(tmp_path))
    (tmp_path / "folds.json").write_text(json.dumps({"folds": [["a"]]}))
    with pytest.raises(TfLuError, match="at least two non-empty folds"):
        read_folds(str(tmp_path))
    with pytest.raises(TfLuError, match="at least 1"):
        SearchBudget(steps=0)
    from tf_lu.apps.search_updater import UpdaterSpace, check_unroll
    from tf_lu.timing.pipeline import write_generated_features
    features = write_generated_features(str(tmp_path / "features"), shape=(2, 2, 1), length=6, sequences=2)
    check_unroll(UpdaterSpace(unroll=(2, 3)), features)
    with pytest.raises(TfLuError, match=r"unroll 4 does not divide every bucket length .* \(6\)"):
        check_unroll(UpdaterSpace(unroll=(3, 4)), features)
    assert main(["search", "updater", "--features", "f", "--crop-walks", "c", "--out", str(tmp_path),
                 "--lambda-range", "0.1,0.2"]) == 2


def test_trial_table_best_first_and_best_config():
    from tf_lu.apps.search_updater_report import best_config, trials_markdown
    rows = [{"trial": "1", "status": "COMPLETED", "auc": 0.61, "auc_fold0": 0.6, "auc_fold1": 0.62, "hidden": 32,
             "anchor_lambda": 0.2, "interval": 2, "dropout": 0.1, "unroll": 10},
            {"trial": "0", "status": "RUNNING", "auc": None, "hidden": 16, "anchor_lambda": 0.0, "interval": 1,
             "dropout": 0.0, "unroll": 5}]
    table = trials_markdown(rows)
    assert "| 1 | 0.6100 | 0.6000 | 0.6200 | 32 | 0.20 | 2 | 0.10 | 10 | COMPLETED |" in table
    config, best = best_config(rows, "configs/trackers/siamfc-learned.yaml", "runs/search")
    assert best["trial"] == "1" and config["updater"]["learned"]["hidden"] == 32 and config["meta"]["unroll"] == 10
    assert config["base"] == os.path.join("..", "..", "configs", "trackers", "siamfc-learned.yaml")
    with pytest.raises(TfLuError, match="no trial"):
        best_config(rows[1:], "c.yaml", "out")
