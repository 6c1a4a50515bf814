"""The committed weights load through the registry and track; the benchmark contract holds on real data."""
import json
import os

import numpy as np
import pytest

from conftest import ROOT, SHARED_DATA, needs_shared_data
from test_cli import run_cli
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.tracking.registry import build_tracker, config_tracker_names

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


def test_a_config_path_is_a_tracker_name(tmp_path):
    """A user's own tracker config, given by path, starts from a shipped one and is named after its file."""
    path = tmp_path / "my-ema-0.02.yaml"
    path.write_text(f"base: {os.path.join(ROOT, 'configs', 'trackers', 'siamfc-ema.yaml')}\n"
                    "updater:\n  ema: {alpha: 0.02}\n")
    tracker = build_tracker(str(path))
    assert tracker.name == "my-ema-0.02" and tracker.updater.alpha == 0.02


@pytest.mark.parametrize("interval", [1, 3])
def test_learned_update_in_the_graph_step_tracks_like_the_host_update(interval):
    """The tracker runs the learned updater's step inside its TensorFlow step (the graph form); the same updater run
    on the host after each step (its eager form, as an updater without a graph form runs) must give the same boxes.
    The step is traced once, however many sequences are tracked."""
    import dataclasses
    from tf_lu.config import load_config
    from tf_lu.models.heads import SiamFCHead
    from tf_lu.models.siamfc import load_siamfc_network
    from tf_lu.resources import shipped_config
    from tf_lu.tracking.tracker import Tracker
    from tf_lu.updaters.learned import LearnedUpdater

    class HostLearned(LearnedUpdater):
        """The reference: the network's step run eagerly on the host, its template handed back to the tracker."""
        graph_form = False

    config = load_config(shipped_config("trackers/siamfc-learned"))
    updater_config = dataclasses.replace(config.updater.learned, interval=interval)
    network = load_siamfc_network(config)
    sequences = generate_dataset(8, 2, SyntheticConfig(num_frames=10, height=120, width=160))
    tracks = {}
    for kind in (LearnedUpdater, HostLearned):
        tracker = Tracker(network.backbone, SiamFCHead(network.adjust), kind(updater_config), config.track)
        boxes = []
        for sequence in sequences:
            tracker.init(sequence.frame(0), sequence.boxes[0])
            boxes += [tracker.update(sequence.frame(i)) for i in range(1, len(sequence))]
        assert tracker.graph.step.experimental_get_tracing_count() == 1
        tracks[kind] = np.array(boxes)
    assert (tracks[LearnedUpdater] != tracks[LearnedUpdater][:1]).any()          # the boxes move
    np.testing.assert_allclose(tracks[LearnedUpdater], tracks[HostLearned], atol=1e-3)


@needs_shared_data
def test_benchmark_contract_on_real_data(tmp_path, capsys):
    out = tmp_path / "bench"
    code, _, err = run_cli(capsys, "benchmark", "--data", os.path.join(SHARED_DATA, "eval_dev"), "--trackers",
                           "siamfc-none,opencv-kcf", "--out", out, "--sequences", "bag", "--max-frames", 15,
                           "--no-progress")
    assert code == 0, err
    summary = json.loads((out / "summary.json").read_text())
    assert summary["protocol"] == "otb"
    for name in ("siamfc-none", "opencv-kcf"):
        entry = summary["trackers"][name]
        assert set(entry) >= {"auc", "precision", "fps", "frames", "sequences"}
        assert entry["frames"] == 15 and set(entry["sequences"]["bag"]) >= {"auc", "precision", "fps"}
