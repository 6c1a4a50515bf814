"""The scale-free learned updater (``updater.scale_to_first``): inputs and outputs in units of theta_1's RMS, per
stream, alike in tracking and in meta-training, and the anchor term in the same units; off, nothing changes."""
import os

import numpy as np
import pytest
import tensorflow as tf

from test_cfnet_learned import CFNET_UPDATER, write_sequences
from tf_lu.cli.main import main
from tf_lu.config import LearnedConfig, load_config
from tf_lu.data.records.features import chunk_dataset
from tf_lu.models.correlation import ResponseAdjust
from tf_lu.models.heads import SiamFCHead
from tf_lu.models.networks import load_network
from tf_lu.training.meta import build_meta_trainer, head_and_sides, meta_identity
from tf_lu.updaters.base import FrameEvidence
from tf_lu.updaters.learned import LearnedUpdater
from tf_lu.updaters.network import UpdaterNet, first_template_unit, load_updater_net

S, C, M = 22, 4, 6   # search feature side, channels, template side


def random(*shape, seed=0, scale=1.0):
    return tf.constant((scale * np.random.default_rng(seed).normal(size=shape)).astype(np.float32))


def untrained_net(scale_to_first=True, **options):
    """A small untrained network whose output convolution is large enough for the update to matter."""
    net = UpdaterNet(C, hidden=5, scale_to_first=scale_to_first, **options).build_for(M)
    for weight in net.out.weights:
        weight.assign(random(*weight.shape, seed=7, scale=0.2))
    return net


def run_net(net, theta_1, candidates):
    states, thetas = net.zero_states(int(theta_1.shape[0]), M), []
    for candidate in candidates:
        theta, states = net(candidate, states, theta_1, confidence=tf.constant([0.3, 0.9]))
        thetas.append(theta.numpy())
    return thetas


@pytest.mark.parametrize("options", [{}, {"residual": False}, {"confidence_input": True}])
@pytest.mark.parametrize("c", [4.0, 1e-3, 300.0])
def test_scaling_theta_1_and_the_candidates_by_c_scales_every_output_by_c(options, c):
    net = untrained_net(**options)
    # two streams of very different scales (a CFNet-like filter and a SiamFC-like template)
    theta_1 = random(2, M, M, C, seed=1) * tf.constant([1.6e-4, 2.0])[:, None, None, None]
    candidates = [theta_1 + random(2, M, M, C, seed=2 + t) * tf.constant([1e-4, 1.0])[:, None, None, None]
                  for t in range(3)]
    base = run_net(net, theta_1, candidates)
    scaled = run_net(net, c * theta_1, [c * x for x in candidates])
    for plain, times_c in zip(base, scaled):
        for stream in range(2):
            size = np.abs(plain[stream]).max()
            np.testing.assert_allclose(times_c[stream], c * plain[stream], rtol=1e-5, atol=1e-5 * c * size)
    # the update itself is of the size of each stream's own theta_1, not of the network's output scale
    if options.get("residual", True):
        units = first_template_unit(theta_1).numpy()[:, 0, 0, 0]
        change = np.sqrt(np.mean((base[-1] - theta_1.numpy()) ** 2, axis=(1, 2, 3))) / units
        assert change[0] == pytest.approx(change[1], rel=0.5)


def test_the_tracking_step_is_scale_equivariant():
    """graph_init / graph_step of :class:`LearnedUpdater` (no head: the candidate is the window itself)."""
    net = untrained_net()
    pyramid = random(1, 3, 9, 9, C, seed=11, scale=1e-4)
    theta_1 = pyramid[:, 1, 1:7, 2:8]

    def track(c):
        updater = LearnedUpdater(LearnedConfig(scale_to_first=True), net=net)
        state = updater.init(c * theta_1)
        evidence = FrameEvidence(candidate=None, search_features=None, peak=tf.constant([[2.4, 2.6]], tf.float64),
                                 confidence=tf.constant([0.7]), search_pyramid=lambda: c * pyramid,
                                 scale=tf.constant([2]))
        return state["theta"].numpy(), updater.graph_step(state, state["theta"], evidence)[1].numpy()

    for plain, times_c in zip(track(1.0), track(8.0)):
        np.testing.assert_allclose(times_c, 8.0 * plain, rtol=1e-6, atol=1e-6 * np.abs(8.0 * plain).max())


def small_trainer(scale_to_first):
    config = load_config(overrides={
        "updater": {"kind": "learned", "learned": {"hidden": 5, "layers": 2, "scale_to_first": scale_to_first}},
        "meta": {"unroll": 4, "batch_size": 2, "steps": 2, "steps_per_epoch": 2}})
    adjust = ResponseAdjust(0.05)
    adjust.build(())
    trainer = build_meta_trainer(config, SiamFCHead(adjust), S, C, M)
    for weight in trainer.net.out.weights:
        weight.assign(random(*weight.shape, seed=5, scale=0.05))
    return trainer


def meta_losses(trainer, features):
    return trainer.unroll(features, tf.zeros((2, 4), tf.bool), tf.constant(True), training=False)[0]


def test_the_anchor_term_is_invariant_to_the_features_scale():
    trainer = small_trainer(True)
    features = random(2, 4, S, S, C, seed=3)
    base = meta_losses(trainer, features)
    assert float(base.anchor) > 1e-4                          # the update is not "no update"
    for c in (1e-3, 8.0):
        scaled = meta_losses(trainer, c * features)
        assert float(scaled.anchor) == pytest.approx(float(base.anchor), rel=1e-4)
        assert float(scaled.peak_error) == pytest.approx(float(base.peak_error))
    # off, the network's output change keeps its own size whatever the features' scale (its recurrent layers are
    # layer-normalised): measured against theta_1's scale c, the update of c = 1e-3 features is far larger
    off = small_trainer(False)
    assert float(meta_losses(off, 1e-3 * features).anchor) / 1e-6 > 100 * float(meta_losses(off, features).anchor)


def test_off_by_default_and_then_nothing_changes():
    assert LearnedConfig().scale_to_first is False
    net = UpdaterNet(C, hidden=5).build_for(M)
    assert net.scale_to_first is False and net.unit(random(1, M, M, C)) is None
    theta_1, candidate = random(2, M, M, C, seed=1), random(2, M, M, C, seed=2)
    states = net.zero_states(2, M)
    theta, _ = net(candidate, states, theta_1)
    outputs, _ = net.rnn.step(candidate, states)
    np.testing.assert_array_equal(theta.numpy(), (net.out(tf.concat(outputs, axis=-1)) + theta_1).numpy())
    # the option is part of the meta-training identity: a run cannot resume with it switched
    config = load_config(overrides={"updater": {"kind": "learned"}})
    assert meta_identity(config)["updater"]["scale_to_first"] is False
    on = load_config(overrides={"updater": {"kind": "learned", "learned": {"scale_to_first": True}}})
    assert meta_identity(on)["updater"]["scale_to_first"] is True


def test_the_option_reaches_the_network_in_training_and_tracking(tmp_path):
    assert small_trainer(True).net.scale_to_first and not small_trainer(False).net.scale_to_first
    net = untrained_net()
    assert UpdaterNet.from_config(net.get_config()).scale_to_first
    path = str(tmp_path / "updater.weights.h5")
    net.save_weights(path)
    loaded = load_updater_net(path, LearnedConfig(hidden=5, scale_to_first=True), C, M)
    assert loaded.scale_to_first


@pytest.fixture(scope="module")
def cfnet_features(tmp_path_factory):
    root = tmp_path_factory.mktemp("cfnet_scale")
    sequences = write_sequences(str(root / "seq"), count=2, length=4)
    out = str(root / "feat")
    assert main(["cache-features", "--config", CFNET_UPDATER, "--sequences", sequences, "--out", out]) == 0
    return out


def test_an_untrained_updater_on_the_shipped_cfnet_starts_from_no_update(cfnet_features):
    config = load_config(CFNET_UPDATER, {"meta": {"unroll": 4, "batch_size": 2}})
    assert config.updater.learned.scale_to_first and config.updater.learned.hidden == 64 and config.meta.cosine_window
    assert os.path.isfile(config.weights)
    tf.keras.utils.set_random_seed(0)
    trainer = build_meta_trainer(config, *head_and_sides(config, load_network(config), cfnet_features))
    features, absent, offsets, reset = next(iter(chunk_dataset(cfnet_features, 2, 4)[0]))
    losses = trainer.unroll(tf.cast(features, tf.float32), tf.cast(absent, tf.bool), tf.cast(reset, tf.bool),
                            training=False, offsets=offsets)[0]
    assert float(losses.cls) == pytest.approx(float(losses.cls_none), rel=0.02)
    assert float(losses.anchor) < 1e-2                         # in units of theta_1's RMS
