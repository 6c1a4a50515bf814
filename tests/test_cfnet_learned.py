"""The learned updater on CFNet's filters: candidates g(window) at tracking time and in meta-training, the frozen
response adjust of the network's own kind, and the feature cache of CFNet's extractor."""
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from tf_lu.cli.main import main
from tf_lu.config import LearnedConfig, load_config
from tf_lu.data.pairs import crop_track_from_sequence
from tf_lu.data.records import sequence_file_name, write_sequence_shard
from tf_lu.data.records.features import FEATURE_META, chunk_dataset
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.errors import TfLuError
from tf_lu.models.cf_layer import CorrelationFilter
from tf_lu.models.cfnet import GainBiasAdjust
from tf_lu.models.correlation import ResponseAdjust
from tf_lu.models.heads import CFNetHead, SiamFCHead
from tf_lu.models.networks import head_for, load_network
from tf_lu.resources import config_dir
from tf_lu.training.feature_cache import cache_features
from tf_lu.training.meta import build_meta_trainer, head_and_sides, train_updater
from tf_lu.tracking.tracker import Tracker
from tf_lu.updaters.base import FrameEvidence
from tf_lu.updaters.learned import LearnedUpdater
from tf_lu.updaters.network import UpdaterNet

CFNET_UPDATER = os.path.join(os.path.dirname(config_dir("trackers")), "updater_cfnet_conv3.yaml")
C, M, MARGIN = 4, 3, 1     # channels, filter side, CF margin: the filter is solved on 5x5 windows


def tiny_cfnet_head(margin=MARGIN):
    adjust = GainBiasAdjust(gain=2.0, bias_init=-0.3)
    adjust.build(())
    adjust.scale.assign(0.7)
    return CFNetHead(CorrelationFilter(10.0, 1.0, margin), adjust)


def random(*shape, seed=0):
    return tf.constant(np.random.default_rng(seed).normal(size=shape).astype(np.float32))


def learned_step(head, pyramid, peak, scale, net=None):
    """One graph step of a tiny learned updater with ``head`` attached (or none): (updater, state before, theta)."""
    side = M + (2 * MARGIN if isinstance(head, CFNetHead) else 0)
    updater = LearnedUpdater(LearnedConfig(), net=net or UpdaterNet(C, hidden=3).build_for(M))
    if head is not None:
        updater.attach(head)
    first = random(1, side, side, C, seed=3)
    theta_1 = head.g(first) if head is not None else first
    state = updater.init(theta_1)
    evidence = FrameEvidence(candidate=None, search_features=None, peak=tf.constant([peak], tf.float64),
                             confidence=tf.constant([0.6]), search_pyramid=lambda: pyramid, scale=tf.constant([scale]))
    return updater, state, updater.graph_step(state, theta_1, evidence)[1]


def test_a_cfnet_learned_step_takes_g_of_the_window_centred_on_the_peak():
    head = tiny_cfnet_head()
    pyramid = random(1, 3, 12, 12, C, seed=4)
    updater, state, theta = learned_step(head, pyramid, [4.4, 6.6], 2)
    # the filter placed at the rounded peak (4, 7) covers rows 4..6; its 5x5 window starts one cell before
    window = pyramid[:, 2, 3:8, 6:11]
    expected_candidate = head.g(window)
    np.testing.assert_allclose(updater.candidate(pyramid, tf.constant([2]), tf.constant([[4.4, 6.6]], tf.float64), M),
                               expected_candidate, rtol=1e-6, atol=1e-7)
    rnn = [[state["rnn_0"]], [state["rnn_1"]]]
    expected, _ = updater.net(expected_candidate, rnn, state["theta_1"], confidence=tf.constant([0.6]))
    np.testing.assert_allclose(theta, expected, rtol=1e-5, atol=1e-6)
    assert theta.shape == (1, M, M, C)
    # at the map's edge the window is clipped to the map, like the template's
    edge = updater.candidate(pyramid, tf.constant([0]), tf.constant([[0.0, 11.0]], tf.float64), M)
    np.testing.assert_allclose(edge, head.g(pyramid[:, 0, 0:5, 7:12]), rtol=1e-6, atol=1e-7)


def test_the_siamfc_learned_step_is_unchanged_by_its_identity_head():
    adjust = ResponseAdjust(0.01)
    adjust.build(())
    pyramid = random(1, 3, 9, 9, C, seed=5)
    net = UpdaterNet(C, hidden=3).build_for(M)
    updater, state, with_head = learned_step(SiamFCHead(adjust), pyramid, [2.6, 7.4], 1, net)
    _, _, without = learned_step(None, pyramid, [2.6, 7.4], 1, net)
    np.testing.assert_array_equal(with_head.numpy(), without.numpy())
    # the candidate is the M x M window itself at the rounded peak (3, 7), clipped to column 6
    candidate = updater.candidate(pyramid, tf.constant([1]), tf.constant([[2.6, 7.4]], tf.float64), M)
    np.testing.assert_array_equal(candidate.numpy(), pyramid.numpy()[:, 1, 3:6, 6:9])


def test_the_frozen_head_keeps_cfnets_gain_scale_and_bias():
    head = tiny_cfnet_head()
    frozen = head.frozen()
    assert isinstance(frozen, CFNetHead) and frozen.cf is head.cf
    assert isinstance(frozen.adjust, GainBiasAdjust) and frozen.adjust is not head.adjust
    assert frozen.adjust.gain == 2.0 and not frozen.adjust.trainable
    assert float(frozen.adjust.scale.numpy()) == pytest.approx(0.7)
    assert float(frozen.adjust.bias.numpy()) == pytest.approx(-0.3)
    response = random(2, 5, 5, 1, seed=6)
    np.testing.assert_allclose(frozen.adjust(response), response * 1.4 - 0.3, rtol=1e-6, atol=1e-6)
    head.adjust.scale.assign(5.0)                       # a copy: the network's own weights are not shared
    assert float(frozen.adjust.scale.numpy()) == pytest.approx(0.7)
    siamfc = SiamFCHead(ResponseAdjust(0.05))
    siamfc.adjust.build(())
    siamfc.adjust.bias.assign(0.25)
    copy = siamfc.frozen().adjust
    assert type(copy) is ResponseAdjust and copy.gain == 0.05 and float(copy.bias.numpy()) == 0.25


def write_sequences(folder, count=2, length=4):
    """Sequence records of ``count`` generated sequences of ``length`` 255-pixel search crops."""
    items = []
    for sequence in generate_dataset(21, count, SyntheticConfig(num_frames=length, height=120, width=160)):
        track = crop_track_from_sequence(sequence)
        items.append((track.name, track.crops[:length], track.boxes[:length]))
    os.makedirs(folder)
    write_sequence_shard(os.path.join(folder, sequence_file_name(length, 0)), items)
    return folder


@pytest.fixture(scope="module")
def cfnet_features(tmp_path_factory):
    """CFNet's features of two generated sequences, cached by ``tf-lu cache-features`` with the updater config."""
    root = tmp_path_factory.mktemp("cfnet_features")
    sequences = write_sequences(str(root / "seq"))
    out = str(root / "feat")
    assert main(["cache-features", "--config", CFNET_UPDATER, "--sequences", sequences, "--out", out]) == 0
    return sequences, out


def test_cache_features_stores_cfnet_features(cfnet_features):
    with open(os.path.join(cfnet_features[1], FEATURE_META)) as file:
        meta = json.load(file)
    assert meta["shape"] == [53, 53, 32]          # stride 4 on 255 crops, conv3's 32 channels
    assert meta["extractor"].endswith(os.path.join("cfnet_conv3", "model.weights.h5"))


def test_cache_features_rejects_crops_of_another_size_than_the_trackers(cfnet_features, tmp_path):
    network = load_network(load_config(CFNET_UPDATER))
    with pytest.raises(TfLuError, match="track.instance_size is 191"):
        cache_features(cfnet_features[0], str(tmp_path / "feat"), network.backbone, progress=False, crop_size=191)


TINY_META = {"updater": {"learned": {"hidden": 4}},
             "meta": {"unroll": 2, "batch_size": 2, "steps": 2, "steps_per_epoch": 2}}


@pytest.fixture(scope="module")
def cfnet_run(cfnet_features, tmp_path_factory):
    """Two meta-training steps (a chunk that starts the sequences, one that continues them) on CFNet's filters."""
    config = load_config(CFNET_UPDATER, TINY_META)
    out = str(tmp_path_factory.mktemp("cfnet_run"))
    return config, train_updater(config, load_network(config), cfnet_features[1], out, verbose=0), out


def test_meta_training_on_cfnet_filters_runs_with_a_finite_loss(cfnet_features, cfnet_run):
    config, summary, _ = cfnet_run
    parts = head_and_sides(config, load_network(config), cfnet_features[1])
    assert parts[1:] == (53, 32, 21) and isinstance(parts[0], CFNetHead)
    # theta_1 = g(centre window of frame 1) scored on frame 1 peaks on the centre, in the trainer's cells
    trainer = build_meta_trainer(config, *parts)
    features = tf.cast(next(iter(chunk_dataset(cfnet_features[1], 2, 2)[0]))[0][:, 0], tf.float32)
    theta_1 = trainer.candidate(features, tf.zeros((2, 2), tf.int32))
    assert theta_1.shape == (2, 21, 21, 32)
    np.testing.assert_array_equal(trainer.peak_cells(parts[0].respond(theta_1, features)), 0)
    assert summary["steps"] == 2 and summary["updater"]["learned"]["hidden"] == 4
    for key in ("loss", "cls", "cls_none", "anchor"):
        assert np.all(np.isfinite(summary["history"][key])), key


def test_meta_trained_cfnet_weights_load_and_track(cfnet_run):
    config, _, out = cfnet_run
    network = load_network(config)
    weights = os.path.join(out, "updater.weights.h5")
    updater = LearnedUpdater(load_config(CFNET_UPDATER, {"updater": {"learned": {"hidden": 4, "weights": weights}}})
                             .updater.learned)
    tracker = Tracker(network.backbone, head_for(config, network), updater, config.track, "cfnet-learned")
    sequence = generate_dataset(8, 1, SyntheticConfig(num_frames=3, height=120, width=160))[0]
    tracker.init(sequence.frame(0), sequence.boxes[0])
    assert updater.net.channels == 32 and updater.net.hidden == 4
    for index in range(1, len(sequence)):
        assert np.all(np.isfinite(tracker.update(sequence.frame(index))))


def test_features_of_another_extractor_are_a_clear_error(tmp_path):
    config = load_config(CFNET_UPDATER)
    folder = tmp_path / "siamfc-features"
    folder.mkdir()
    (folder / FEATURE_META).write_text(json.dumps({"shape": [22, 22, 128]}))
    with pytest.raises(TfLuError, match="128 channels, the cfnet extractor gives 32"):
        head_and_sides(config, load_network(config), str(folder))
