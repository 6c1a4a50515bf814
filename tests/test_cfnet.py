import os

import keras
import numpy as np
import pytest

from conftest import ROOT
from tf_lu import paper
from tf_lu.config import load_config
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.errors import TfLuError
from tf_lu.models.backbones import cfnet_backbone, cfnet_channels
from tf_lu.models.cfnet import CFNetNet, load_cfnet_network
from tf_lu.models.correlation import cross_correlation
from tf_lu.models.heads import CFNetHead
from tf_lu.models.labels import centred_label_map
from tf_lu.models.losses import balanced_logistic_loss
from tf_lu.models.networks import build_network, head_for
from tf_lu.tracking.registry import build_tracker
from tf_lu.tracking.tracker import Tracker
from tf_lu.updaters.learned import LearnedUpdater
from tf_lu.updaters.network import UpdaterNet

CFNET_CONFIG = os.path.join(ROOT, "configs", "cfnet_conv3.yaml")


@pytest.mark.parametrize("variant", sorted(paper.CFNET_CHANNELS))
def test_every_variant_gives_33x33_responses_at_total_stride_4(variant):
    backbone = cfnet_backbone(variant, width=0.25)
    exemplar = backbone.compute_output_shape((1, 127, 127, 3))
    search = backbone.compute_output_shape((1, 255, 255, 3))
    assert search[1] - exemplar[1] + 1 == paper.CFNET_RESPONSE_SIZE
    assert exemplar[-1] == paper.CFNET_OUT_CHANNELS
    # one more input pixel-row in steps of the total stride moves the output by one cell
    assert backbone.compute_output_shape((1, 255 + 4, 255 + 4, 3))[1] == search[1] + 1


def test_width_scales_every_layer_but_the_last():
    assert cfnet_channels("conv3", 1.0) == (96, 256, 32)
    assert cfnet_channels("conv3", 0.5) == (48, 128, 32)
    with pytest.raises(TfLuError, match="conv4"):
        cfnet_channels("conv4")


def test_network_forward_shapes_and_head():
    net = CFNetNet("conv3", 0.25).build_for(127, 255)
    rng = np.random.default_rng(0)
    z = rng.uniform(0, 255, (2, 127, 127, 3)).astype(np.float32)
    x = rng.uniform(0, 255, (2, 255, 255, 3)).astype(np.float32)
    response = net((z, x)).numpy()
    assert response.shape == (2, 33, 33, 1) and np.all(np.isfinite(response))
    head = CFNetHead(net.cf, net.adjust)
    theta = head.g(net.backbone(z))
    assert tuple(theta.shape) == (2, 21, 21, 32)
    np.testing.assert_allclose(head.respond(theta, net.backbone(x)).numpy(), response, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(net.adjust(cross_correlation(theta, net.backbone(x))).numpy(), response, atol=1e-4)


def test_gain_and_bias_start_at_the_reference_values_and_learn():
    net = CFNetNet("conv1", 1.0).build_for(127, 255)
    assert float(net.adjust.scale) == 1.0 and float(net.adjust.bias) == pytest.approx(paper.CFNET_ADJUST_BIAS)
    names = {w.path.split("/")[-1] for w in net.adjust.trainable_weights}
    assert names == {"bias", "scale"}


def test_training_steps_reduce_the_balanced_logistic_loss():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(1)
    z = rng.uniform(0, 255, (2, 127, 127, 3)).astype(np.float32)
    x = np.full((2, 255, 255, 3), 128.0, np.float32)
    x[:, 64:191, 64:191] = z                              # the exemplar, centred in the search crop
    labels = np.broadcast_to(centred_label_map(33, 4, 8)[None, :, :, None], (2, 33, 33, 1))
    config = load_config(CFNET_CONFIG, {"backbone": {"variant": "conv1", "width": 1.0}})
    net = build_network(config)
    assert isinstance(net, CFNetNet)
    net.build_for(127, 255)
    net.compile(optimizer=keras.optimizers.Adam(1e-2), loss=balanced_logistic_loss)
    before = float(net.evaluate((z, x), labels, verbose=0))
    net.fit((z, x), labels, epochs=8, batch_size=2, verbose=0)
    after = float(net.evaluate((z, x), labels, verbose=0))
    assert after < before


@pytest.fixture(scope="module")
def saved_weights(tmp_path_factory):
    config = load_config(CFNET_CONFIG)
    path = str(tmp_path_factory.mktemp("cfnet") / "model.weights.h5")
    build_network(config).build_for(127, 255).save_weights(path)
    return path


def test_loader_round_trip_and_errors(saved_weights, tmp_path):
    config = load_config(CFNET_CONFIG, {"weights": saved_weights})
    net = load_cfnet_network(config)
    assert isinstance(head_for(config, net), CFNetHead)
    with pytest.raises(TfLuError, match="not found"):
        load_cfnet_network(load_config(CFNET_CONFIG, {"weights": str(tmp_path / "missing.h5")}))
    with pytest.raises(TfLuError, match="cannot load CFNet weights"):
        load_cfnet_network(load_config(CFNET_CONFIG, {"weights": saved_weights, "backbone": {"variant": "conv5"}}))
    with pytest.raises(TfLuError, match="backbone.kind"):
        build_network(load_config(CFNET_CONFIG, {"backbone": {"kind": "kcf"}}))


@pytest.mark.parametrize("kind", ["none", "ema", "sgd"])
def test_tracker_loop_and_updaters_run_on_filters(saved_weights, tmp_path, kind):
    path = tmp_path / f"cfnet-{kind}.yaml"
    path.write_text(f"base: {CFNET_CONFIG}\nweights: {saved_weights}\nupdater:\n  kind: {kind}\n"
                    "  sgd: {long_term_iters: 3, short_term_iters: 2, long_term_every: 2}\n")
    tracker = build_tracker(str(path))
    assert isinstance(tracker, Tracker) and isinstance(tracker.head, CFNetHead)
    assert tracker.upscale == 33 * 8
    sequence = generate_dataset(3, 1, SyntheticConfig(num_frames=5, height=120, width=160))[0]
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        box = tracker.update(sequence.frame(index))
        assert np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0


def test_learned_updater_runs_on_cfnet_filters_in_the_tracker_loop(saved_weights):
    overrides = {"weights": saved_weights, "updater": {"kind": "learned", "learned": {"hidden": 8}}}
    config = load_config(CFNET_CONFIG, overrides)
    network = load_cfnet_network(config)
    updater = LearnedUpdater(config.updater.learned, net=UpdaterNet(32, hidden=8).build_for(21))
    tracker = Tracker(network.backbone, head_for(config, network), updater, config.track, "cfnet-learned")
    sequence = generate_dataset(4, 1, SyntheticConfig(num_frames=4, height=120, width=160))[0]
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        box = tracker.update(sequence.frame(index))
        assert np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0


@pytest.mark.parametrize("name", ["cfnet-none", "cfnet-ema", "cfnet-sgd"])
def test_shipped_cfnet_trackers_track_a_generated_sequence(name):
    tracker = build_tracker(name)
    assert isinstance(tracker.head, CFNetHead) and tracker.cfg.total_stride == paper.CFNET_TOTAL_STRIDE
    sequence = generate_dataset(6, 1, SyntheticConfig(num_frames=4, height=120, width=160))[0]
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        box = tracker.update(sequence.frame(index))
        assert np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0
