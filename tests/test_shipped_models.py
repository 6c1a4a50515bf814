"""The committed weights load through the registry and track; the benchmark contract holds on real data."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, SHARED_DATA
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.registry import build_tracker, config_tracker_names

SHIPPED = ["siamfc-none", "siamfc-ema", "siamfc-sgd", "siamfc-learned"]


def test_every_shipped_tracker_name_is_known():
    assert set(SHIPPED) <= set(config_tracker_names())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_tracker_tracks_a_generated_sequence(name):
    sequence = generate_dataset(5, 1, SyntheticConfig(num_frames=12, height=120, width=160))[0]
    tracker = build_tracker(name)
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        box = tracker.update(sequence.frame(index))
        assert np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0


@pytest.mark.skipif(not os.path.isdir(os.path.join(SHARED_DATA, "eval_dev")), reason="../shared/data is absent")
def test_benchmark_contract_on_real_data(tmp_path):
    out = tmp_path / "bench"
    command = [sys.executable, os.path.join(ROOT, "tools", "benchmark.py"), "--data",
               os.path.join(SHARED_DATA, "eval_dev"), "--trackers", "siamfc-none,opencv-kcf", "--out", str(out),
               "--sequences", "bag", "--max-frames", "15", "--no-progress"]
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["protocol"] == "otb"
    for name in ("siamfc-none", "opencv-kcf"):
        entry = summary["trackers"][name]
        assert set(entry) >= {"auc", "precision", "fps", "frames", "sequences"}
        assert entry["frames"] == 15 and set(entry["sequences"]["bag"]) >= {"auc", "precision", "fps"}
