"""The tracker's TensorFlow step: its post-processing equals the NumPy formulation, the learned updater's graph step
takes the window at the peak, and B streams in one call track like each stream alone."""
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import LearnedConfig
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.geometry.boxes import clip_center_box, from_center
from tf_lu.models.response import best_scale, blend_window, peak_position
from tf_lu.tracking.registry import build_tracker
from tf_lu.tracking.step import clip_center_boxes
from tf_lu.tracking.streams import StreamBatch, stack_frames
from tf_lu.updaters.base import FrameEvidence
from tf_lu.updaters.learned import LearnedUpdater
from tf_lu.updaters.network import UpdaterNet


def numpy_box(graph, image_shape, state, upsampled):
    """The box the step should give, by the NumPy formulation of the post-processing (host-side tracker)."""
    cfg, scales, up = graph.cfg, graph.scales, graph.upscale
    cx, cy, w, h = state["center_box"].numpy()[0]
    x_side = state["sides"].numpy()[0, 1]
    best = best_scale(upsampled)
    row, col = peak_position(blend_window(upsampled[best], graph.window, cfg.window_influence))
    displacement = np.array([col, row], dtype=np.float64) - (up - 1) / 2.0
    displacement *= cfg.total_stride / cfg.response_up * x_side * scales[best] / cfg.instance_size
    scale = (1 - cfg.scale_lr) + cfg.scale_lr * scales[best]
    clipped = clip_center_box([cx + displacement[0], cy + displacement[1], w * scale, h * scale], image_shape,
                              cfg.min_size)
    return from_center(clipped)


def test_graph_post_processing_equals_the_numpy_formulation():
    tracker = build_tracker("siamfc-none")
    graph = tracker.graph
    sequence = generate_sequence(3, SyntheticConfig(num_frames=6, height=100, width=140), name="post")
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        frames, sizes = stack_frames([sequence.frame(index)])
        _, _, upsampled = graph._search(frames, sizes, tracker.state)
        expected = numpy_box(graph, frames.shape[1:3], tracker.state, upsampled.numpy()[0])
        np.testing.assert_allclose(tracker.update(sequence.frame(index)), expected, atol=1e-6)


def test_box_clipping_matches_the_numpy_clip():
    rng = np.random.default_rng(0)
    proposals = np.concatenate([rng.normal(0, 300, size=(200, 4)), [[np.nan, 1, 2, 3], [1, np.inf, 2, 3]]])
    sizes = np.tile([[90, 130]], (len(proposals), 1)).astype(np.int32)
    clipped, finite = clip_center_boxes(tf.constant(proposals), tf.constant(sizes), 4.0)
    for proposal, row, ok in zip(proposals, clipped.numpy(), finite.numpy()):
        expected = clip_center_box(proposal, (90, 130), 4.0)
        assert ok == (expected is not None)
        if ok:
            np.testing.assert_array_equal(row, expected)


@pytest.mark.parametrize("interval", [1, 2])
def test_learned_graph_step_takes_the_window_at_the_peak(interval):
    net = UpdaterNet(4, hidden=3).build_for(3)
    updater = LearnedUpdater(LearnedConfig(interval=interval), net=net)
    theta_1 = tf.random.normal((1, 3, 3, 4), seed=1)
    state = updater.init(theta_1)
    pyramid = tf.random.normal((1, 3, 9, 9, 4), seed=2)
    evidence = FrameEvidence(candidate=None, search_features=None, peak=tf.constant([[2.6, 7.4]], tf.float64),
                             confidence=tf.constant([0.7]), search_pyramid=lambda: pyramid, scale=tf.constant([2]))
    thetas = []
    for _ in range(2):
        previous = state
        state, theta = updater.graph_step(state, theta_1, evidence)
        rnn = [[previous["rnn_0"]], [previous["rnn_1"]]]
        expected, _ = net(pyramid[:, 2, 3:6, 6:9], rnn, theta_1)     # the rounded peak (3, 7), clipped to column 6
        replaced = int(state["step"][0]) % interval == 0
        np.testing.assert_allclose(theta, expected if replaced else previous["theta"], atol=1e-6)
        thetas.append(theta.numpy())
    assert int(state["step"][0]) == 2 and not np.allclose(thetas[0], thetas[1])


def test_batched_streams_track_like_each_stream_alone():
    """Three streams with frames of three sizes in one call per frame; one stream ends early (``keep``)."""
    tracker = build_tracker("siamfc-learned")
    shapes = [(96, 128), (120, 160), (80, 112)]
    sequences = [generate_sequence(10 + i, SyntheticConfig(num_frames=6, height=h, width=w), name=f"s{i}")
                 for i, (h, w) in enumerate(shapes)]
    alone = []
    for sequence in sequences:
        tracker.init(sequence.frame(0), sequence.boxes[0])
        alone.append([tracker.update(sequence.frame(i)) for i in range(1, len(sequence))])
    batch = StreamBatch(tracker.graph)
    batch.add([s.frame(0) for s in sequences], [s.boxes[0] for s in sequences])
    together, order = [[] for _ in sequences], [0, 1, 2]
    for index in range(1, len(sequences[0])):
        if index == 4:
            batch.keep([0, 2])
            order = [0, 2]
        boxes, scores = batch.step([sequences[k].frame(index) for k in order])
        assert np.all((scores > 0) & (scores < 1))
        for k, box in zip(order, boxes):
            together[k].append(box)
    for k in range(3):
        np.testing.assert_allclose(together[k], np.array(alone[k])[:len(together[k])], atol=0.5)
    assert max(np.abs(np.array(together[k]) - np.array(alone[k])[:len(together[k])]).max() for k in range(3)) < 1e-3


def test_track_streams_refills_free_slots_and_tracks_like_one_at_a_time():
    from tf_lu.evaluation.batched import track_streams
    from tf_lu.evaluation.otb import run_sequence
    tracker = build_tracker("siamfc-ema")
    sequences = [generate_sequence(30 + i, SyntheticConfig(num_frames=n, height=90, width=120), name=f"r{i}")
                 for i, n in enumerate([5, 2, 4, 1])]
    runs = track_streams(tracker, sequences, streams=2)
    assert sorted(runs) == ["r0", "r1", "r2", "r3"]
    for sequence in sequences:
        boxes, times = runs[sequence.name]
        assert boxes.shape == (len(sequence), 4) and len(times) == len(sequence)
        np.testing.assert_allclose(boxes, run_sequence(tracker, sequence)[0], atol=1e-3)


@pytest.mark.parametrize("name", ["siamfc-learned", "cfnet-learned"])
def test_the_deferred_update_gives_the_boxes_and_templates_of_the_update_at_its_own_frame(name):
    """The learned updater's step runs at the start of the next frame (beside its features); the same updater run at
    the end of its own frame (``deferred`` off) gives the same boxes, and ``next_template`` of the deferred state is
    the template the other state holds, before and after the first update."""
    from tf_lu.tracking.tracker import Tracker

    class AtItsFrame(LearnedUpdater):
        deferred = False

    shipped = build_tracker(name)
    deferred = Tracker(shipped.backbone, shipped.head, LearnedUpdater(shipped.updater.config, shipped.updater.net),
                       shipped.cfg)
    at_frame = Tracker(shipped.backbone, shipped.head, AtItsFrame(shipped.updater.config, shipped.updater.net),
                       shipped.cfg)
    assert deferred.graph.deferred and not at_frame.graph.deferred
    sequence = generate_sequence(5, SyntheticConfig(num_frames=8, height=120, width=160), name="deferred")
    for tracker in (deferred, at_frame):
        tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, len(sequence)):
        template = deferred.graph.next_template(deferred.state).numpy()
        np.testing.assert_allclose(template, at_frame.state["template"].numpy(), rtol=1e-5,
                                   atol=1e-5 * np.abs(template).max())
        np.testing.assert_allclose(deferred.update(sequence.frame(index)), at_frame.update(sequence.frame(index)),
                                   atol=1e-3)
    assert not np.allclose(template, deferred.state["updater_theta_1"].numpy())      # the template did change
