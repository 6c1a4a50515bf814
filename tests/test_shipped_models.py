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
                    "updater:\n  alpha: 0.02\n")
    tracker = build_tracker(str(path))
    assert tracker.name == "my-ema-0.02" and tracker.updater.alpha == 0.02


@pytest.mark.parametrize("interval", [1, 3])
def test_learned_update_fused_into_the_search_step_tracks_like_the_eager_update(interval):
    """The tracker runs the learned updater's step inside its next search step (defer / template / settle); an
    updater that keeps the interface's eager defaults must give the same boxes.  The search step is traced twice at
    most (the first frame of a sequence passes theta_1 through, later ones carry the step's inputs), however many
    sequences are tracked."""
    import dataclasses
    from tf_lu.config import load_config
    from tf_lu.updaters.learned import LearnedState, LearnedUpdater
    from tf_lu.models.siamfc import load_siamfc_network
    from tf_lu.tracking.tracker import Tracker
    from tf_lu.models.heads import SiamFCHead
    from tf_lu.updaters.base import Updater

    class EagerLearned(LearnedUpdater):
        """The reference: one eager network step per frame on the chosen scale's window, theta returned at once."""
        template, settle = Updater.template, Updater.settle

        def defer(self, state, evidence):
            features = evidence.search_features()
            size = int(state.theta_1.shape[1])
            row, col = np.clip(np.round(evidence.peak), 0, int(features.shape[1]) - size).astype(int)
            theta_new, rnn = self.net(features[:, row:row + size, col:col + size], state.rnn, state.theta_1,
                                      confidence=np.float32([evidence.confidence]))
            step = state.step + 1
            theta = theta_new if step % self.interval == 0 else state.theta
            return LearnedState(rnn, state.theta_1, theta, step), theta

    config = load_config(os.path.join(ROOT, "configs", "trackers", "siamfc-learned.yaml"))
    updater_config = dataclasses.replace(config.updater, interval=interval)
    network = load_siamfc_network(config)
    sequences = generate_dataset(8, 2, SyntheticConfig(num_frames=10, height=120, width=160))
    tracks = {}
    for kind in (LearnedUpdater, EagerLearned):
        tracker = Tracker(network.backbone, SiamFCHead(network.adjust), kind(updater_config), config.track)
        boxes = []
        for sequence in sequences:
            tracker.init(sequence.frame(0), sequence.boxes[0])
            boxes += [tracker.update(sequence.frame(i)) for i in range(1, len(sequence))]
        assert tracker._search_fn.experimental_get_tracing_count() <= 2
        tracks[kind] = np.array(boxes)
    np.testing.assert_allclose(tracks[LearnedUpdater], tracks[EagerLearned], atol=1e-3)


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
