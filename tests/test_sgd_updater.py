"""The MDNet-style SGD updater on a tiny random head: when it updates, that it learns, bounded memory, one trace."""
import dataclasses
import os

import numpy as np
import pytest
import tensorflow as tf

from tf_lu.updaters import sgd as sgd_updater
from tf_lu.config import SgdConfig, UpdaterConfig, load_config
from tf_lu.models.correlation import ResponseAdjust
from tf_lu.models.heads import CFNetHead, SiamFCHead
from tf_lu.models.labels import label_maps
from tf_lu.updaters.sgd import SGDUpdater
from tf_lu.updaters.base import FrameEvidence
from tf_lu.updaters.registry import build_updater

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
C = 4
SEARCH = 22                   # response 17 x 17 with a 6 x 6 template
BASE = SgdConfig(set_size=50, batch=4, lr=10.0, long_term_every=5, long_term_iters=30, short_term_iters=20,
                 confidence=0.5)


def make_updater(**changes):
    updater = SGDUpdater(dataclasses.replace(BASE, **changes))
    updater.attach(SiamFCHead(ResponseAdjust(gain=0.01)))   # a larger gain than SiamFC's 1e-3: unit-scale features
    return updater


def evidence(rng, frame, confidence=0.9, peak=(8, 8)):
    z = tf.constant(rng.normal(size=(1, SEARCH, SEARCH, C)).astype(np.float32))
    return FrameEvidence(candidate=lambda: None, search_features=lambda: z, peak=peak, confidence=confidence,
                         frame_index=frame)


@pytest.fixture
def theta_1():
    return tf.constant(np.random.default_rng(1).normal(size=(1, 6, 6, C)).astype(np.float32))


def test_theta_only_changes_at_long_term_updates_when_confident(theta_1):
    updater, rng = make_updater(), np.random.default_rng(0)
    state = updater.init(theta_1)
    previous = theta_1.numpy()
    for frame in range(1, 11):
        state, theta = updater.update(state, evidence(rng, frame, confidence=0.9))
        if frame % 5:
            np.testing.assert_array_equal(theta.numpy(), previous)
        else:
            assert not np.allclose(theta.numpy(), previous)
        previous = theta.numpy()
    assert (state.long_term_updates, state.short_term_updates) == (2, 0)
    assert theta.shape == theta_1.shape and theta.dtype == tf.float32


def test_long_term_update_lowers_the_loss_on_the_online_set(theta_1):
    updater, rng = make_updater(), np.random.default_rng(0)
    state = updater.init(theta_1)
    for frame in range(1, 5):
        state, _ = updater.update(state, evidence(rng, frame, peak=(4 + frame, 10)))
    before_state_loss = updater.loss(state)
    state, theta = updater.update(state, evidence(rng, 5, peak=(9, 9)))       # frame 5: long-term update
    assert state.long_term_updates == 1
    assert updater.loss(state, theta=theta) < updater.loss(state, theta=theta_1) - 1e-3
    assert before_state_loss == pytest.approx(updater.loss(state, theta=theta_1, slots=range(4)))


def test_online_set_is_a_bounded_ring_buffer(theta_1):
    updater, rng = make_updater(set_size=6, long_term_every=4), np.random.default_rng(0)
    state = updater.init(theta_1)
    seen = []
    for frame in range(1, 16):
        ev = evidence(rng, frame)
        seen.append(ev.search_features()[0].numpy())
        state, _ = updater.update(state, ev)
        assert state.count == min(frame, 6) and state.features.shape[0] == 6 and state.labels.shape[0] == 6
    stored = state.features.numpy()[state.recent_slots(6)]
    np.testing.assert_array_equal(stored, np.stack(seen[-6:]))


def test_low_confidence_triggers_a_short_term_update_on_recent_samples(theta_1, monkeypatch):
    monkeypatch.setattr(sgd_updater, "SHORT_TERM_FRAMES", 1)
    updater, rng = make_updater(long_term_every=100), np.random.default_rng(0)
    state = updater.init(theta_1)
    state, theta = updater.update(state, evidence(rng, 1, confidence=0.9))
    np.testing.assert_array_equal(theta.numpy(), theta_1.numpy())
    state, theta = updater.update(state, evidence(rng, 2, confidence=0.2, peak=(3, 12)))
    assert state.short_term_updates == 1 and state.long_term_updates == 0
    latest = state.recent_slots(1)
    assert updater.loss(state, theta=theta, slots=latest) < updater.loss(state, theta=theta_1, slots=latest)


def test_inner_loop_traces_once(theta_1):
    updater, rng = make_updater(long_term_every=3, long_term_iters=7, short_term_iters=3), \
        np.random.default_rng(0)
    state = updater.init(theta_1)
    for frame in range(1, 10):
        state, _ = updater.update(state, evidence(rng, frame, confidence=0.1 if frame % 2 else 0.9))
    state = updater.init(theta_1)                        # a new sequence reuses the same trace
    for frame in range(1, 4):
        state, _ = updater.update(state, evidence(rng, frame, confidence=0.1))
    assert state.long_term_updates == 1 and state.short_term_updates == 2
    assert updater.traces == 1
    assert updater._fit.experimental_get_tracing_count() == 1


def test_label_map_is_centred_on_the_peak():
    labels = label_maps(17, [(3, 12)], total_stride=8, positive_radius=16)[0].numpy()
    rows, cols = np.nonzero(labels)
    assert labels[3, 12] == 1 and labels.sum() == 13          # radius 2 cells: a 13-cell disc
    assert rows.mean() == pytest.approx(3) and cols.mean() == pytest.approx(12)
    updater = make_updater()
    assert updater._raw_peak((3, 12), 17) == (3.0, 12.0)
    assert updater._raw_peak(None, 17) == (8.0, 8.0)


def test_registered_and_config_file():
    assert isinstance(build_updater(UpdaterConfig(kind="sgd")), SGDUpdater)
    config = load_config(os.path.join(REPO_ROOT, "configs", "trackers", "siamfc-sgd.yaml"))
    assert config.updater.kind == "sgd" and config.backbone.width == 0.5


def test_fast_correlation_matches_the_head(theta_1):
    updater = make_updater()
    z = tf.constant(np.random.default_rng(2).normal(size=(3, SEARCH, SEARCH, C)).astype(np.float32))
    np.testing.assert_allclose(updater._respond(theta_1, z).numpy(), updater.head.respond(theta_1, z).numpy(),
                               rtol=1e-5, atol=1e-6)


def cfnet_updaters():
    """Two SGD updaters on one CFNet head: the Fourier-domain loop it uses, and the spatial loop forced."""
    from tf_lu.models.cf_layer import CorrelationFilter
    from tf_lu.models.cfnet import GainBiasAdjust
    adjust = GainBiasAdjust(gain=0.05, bias_init=-0.5)
    adjust.build(())
    head = CFNetHead(CorrelationFilter(cf_lambda=1.0, sigma=1.0), adjust)
    spectral, spatial = make_updater(lr=5.0), make_updater(lr=5.0)
    spectral.attach(head)
    spatial.attach(head)
    spatial.spectral, spatial._fit = False, spatial._make_fit()
    return spectral, spatial


def test_cfnet_sgd_in_the_fourier_domain_takes_the_spatial_steps():
    spectral, spatial = cfnet_updaters()
    assert spectral.spectral
    theta = tf.constant(np.random.default_rng(4).normal(size=(1, 7, 7, C)).astype(np.float32))
    states = [spectral.init(theta), spatial.init(theta)]
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    for frame in range(1, 11):      # long-term updates at frames 5 and 10, 30 iterations each
        peak = (4 + frame % 3, 5)
        for updater, state, rng in zip((spectral, spatial), states, (rng_a, rng_b)):
            z = tf.constant(rng.normal(size=(1, 15, 15, C)).astype(np.float32))
            updater.update(state, FrameEvidence(candidate=lambda: None, search_features=lambda z=z: z, peak=peak,
                                                confidence=0.9, frame_index=frame))
    moved = np.abs(states[1].theta.numpy() - theta.numpy()).max()
    assert moved > 1e-3                                         # the steps did change theta
    np.testing.assert_allclose(states[0].theta.numpy(), states[1].theta.numpy(), atol=1e-4 * moved)
    assert states[0].features.dtype == tf.complex64 and states[0].features.shape[1:] == (C, 15, 8)
    assert spectral.loss(states[0]) == pytest.approx(spatial.loss(states[1]), rel=1e-4)


def test_fft_sides_have_small_prime_factors():
    from tf_lu.updaters.sgd_spectral import fft_side
    assert [fft_side(n) for n in (1, 7, 15, 17, 53, 61)] == [1, 8, 15, 18, 54, 64]


def test_a_sequence_updates_alike_whatever_the_updater_ran_before(theta_1):
    """The batches SGD draws depend on the sequence's own history only: the same frames give the same templates on a
    fresh updater and on one that has run another sequence (batch 4 of a 10-sample set: the draws matter)."""
    def run(updater, seed, frames=10):
        state, rng = updater.init(theta_1), np.random.default_rng(seed)
        return [updater.update(state, evidence(rng, frame, confidence=0.3 if frame % 3 else 0.9))[1].numpy()
                for frame in range(1, frames + 1)]

    used = make_updater()
    run(used, seed=7, frames=7)
    np.testing.assert_array_equal(run(used, seed=3), run(make_updater(), seed=3))
