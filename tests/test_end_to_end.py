"""Train a tiny extractor on generated sequences, then track and benchmark with it (the whole pipeline, small)."""
import json
import os

import keras
import numpy as np
import pytest

from tf_lu.config import DataConfig, load_config
from tf_lu.data.curation import pair_stream
from tf_lu.data.pairs import crop_track_from_sequence
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.data.records import write_pair_records
from tf_lu.training.extractor import train_extractor
from tf_lu.tracking.registry import tracker_from_config

SMALL = SyntheticConfig(num_frames=12, height=120, width=160)


def test_train_then_track_on_generated_data(tmp_path):
    sequences = generate_dataset(7, 3, SMALL)
    tracks = [crop_track_from_sequence(s) for s in sequences]
    backgrounds = [s.frame(0) for s in sequences]
    stream = pair_stream(tracks, backgrounds, np.random.default_rng(0), composite_fraction=0.5, max_gap=100)
    records = str(tmp_path / "pairs")
    write_pair_records(stream, records, count=32, shards=2, progress=False)
    assert len([f for f in os.listdir(records) if f.endswith(".tfrecord")]) == 2

    overrides = {"backbone": {"width": 0.25},
                 "train": {"batch_size": 4, "steps": 6, "steps_per_epoch": 3, "lr_start": 1e-3, "lr_end": 1e-4}}
    config = load_config(overrides=overrides)
    run_dir = str(tmp_path / "run")
    summary = train_extractor(config, records, run_dir, verbose=0)
    assert summary["steps"] == 6 and np.isfinite(summary["final_loss"])
    history = open(os.path.join(run_dir, "history.csv")).read().splitlines()
    assert len(history) == 3  # header + 2 epochs

    trackers = {}
    for kind in ("none", "ema"):
        tracker_config = load_config(overrides={**overrides, "weights": os.path.join(run_dir, "model.weights.h5"),
                                                "updater": {"kind": kind, "ema": {"alpha": 0.1}}})
        trackers[f"tiny-{kind}"] = tracker_from_config(tracker_config, name=f"tiny-{kind}")

    test_sequence = generate_dataset(99, 1, SMALL)[0]
    tracker = trackers["tiny-ema"]
    tracker.init(test_sequence.frame(0), test_sequence.boxes[0])
    for i in range(1, len(test_sequence)):
        box = tracker.update(test_sequence.frame(i))
        assert np.all(np.isfinite(box)) and box[2] >= 4 and box[3] >= 4

    out = str(tmp_path / "bench")
    run_benchmark(list(trackers), [test_sequence], out, build=trackers.__getitem__, progress=False)
    with open(os.path.join(out, "summary.json")) as handle:
        result = json.load(handle)
    for name in trackers:
        entry = result["trackers"][name]
        assert 0.0 <= entry["auc"] <= 1.0 and entry["frames"] == len(test_sequence) and entry["fps"] > 0


class Interrupt(Exception):
    pass


class KillAfterEpoch(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise Interrupt()


def test_training_resumes_after_a_kill(tmp_path):
    sequences = generate_dataset(3, 2, SMALL)
    tracks = [crop_track_from_sequence(s) for s in sequences]
    stream = pair_stream(tracks, [], np.random.default_rng(1), composite_fraction=0.0)
    records = str(tmp_path / "pairs")
    write_pair_records(stream, records, count=8, shards=1, progress=False)
    config = load_config(overrides={"backbone": {"width": 0.25},
                                    "train": {"batch_size": 2, "steps": 3, "steps_per_epoch": 1}})
    run_dir = str(tmp_path / "run")
    with pytest.raises(Interrupt):
        train_extractor(config, records, run_dir, verbose=0, extra_callbacks=[KillAfterEpoch(1)])
    summary = train_extractor(config, records, run_dir, verbose=0)
    assert summary["epochs_this_run"] == 1  # epochs 0 and 1 were restored from the backup
    assert os.path.isfile(os.path.join(run_dir, "model.weights.h5"))
