"""The learned updater's meta-training: truncated BPTT state handling, the anchor term, and that training learns."""
import os

import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import load_config
from tf_lu.models.correlation import ResponseAdjust
from tf_lu.models.heads import SiamFCHead
from tf_lu.data.pairs import crop_track_from_sequence
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.errors import TfLuError
from tf_lu.updaters.learned import window_at
from tf_lu.models.losses import anchor_loss
from tf_lu.data.records import sequence_file_name, write_sequence_shard
from tf_lu.models.siamfc import SiamFCNet
from tf_lu.data.records.features import FEATURE_LISTS, chunk_dataset
from tf_lu.training.feature_cache import cache_features
from tf_lu.training.meta import build_meta_trainer, train_updater

S, C, M = 22, 4, 6   # search feature side, channels, template side


def small_config(**meta):
    return load_config(overrides={
        "updater": {"kind": "learned", "learned": {"hidden": 6, "layers": 2}},
        "meta": {"unroll": 5, "batch_size": 2, "steps": 4, "steps_per_epoch": 2, **meta}})


def make_trainer(config, gain=0.05):
    adjust = ResponseAdjust(gain)
    adjust.build(())
    return build_meta_trainer(config, SiamFCHead(adjust), S, C, M)


def test_window_at_takes_integer_windows():
    features = tf.reshape(tf.range(2 * 8 * 8 * 1, dtype=tf.float32), (2, 8, 8, 1))
    out = window_at(features, tf.constant([[1, 2], [0, 5]]), 3).numpy()
    np.testing.assert_array_equal(out[0, :, :, 0], features.numpy()[0, 1:4, 2:5, 0])
    np.testing.assert_array_equal(out[1, :, :, 0], features.numpy()[1, 0:3, 5:8, 0])


@pytest.mark.parametrize("loss", ["logistic", "softmax"])
def test_anchor_term_is_zero_when_the_output_equals_the_first_template(loss):
    theta = tf.random.normal((2, M, M, C))
    np.testing.assert_allclose(anchor_loss(theta, theta).numpy(), 0.0)
    # a residual updater whose output convolution is zero outputs theta_1 exactly: the anchor term vanishes
    trainer = make_trainer(small_config(loss=loss))
    for weight in trainer.net.out.weights:
        weight.assign(tf.zeros_like(weight))
    features = tf.random.normal((2, 5, S, S, C))
    losses, _ = trainer.unroll(features, tf.zeros((2, 5), tf.bool), tf.constant(True), training=False)
    assert float(losses.anchor) == pytest.approx(0.0, abs=1e-12)
    # ... and it scores exactly like never updating
    assert float(losses.cls) == pytest.approx(float(losses.cls_none), rel=1e-6)
    assert float(losses.peak_error) == pytest.approx(float(losses.peak_error_none))


def test_unknown_meta_loss_is_a_clear_error():
    with pytest.raises(TfLuError, match="meta.loss"):
        make_trainer(small_config(loss="hinge"))


def test_state_is_carried_across_chunks_without_gradient_through_the_boundary():
    trainer = make_trainer(small_config())
    absent = tf.zeros((2, 5), tf.bool)
    first = tf.random.normal((2, 5, S, S, C), seed=1)
    second = tf.random.normal((2, 5, S, S, C), seed=2)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(first)
        _, state = trainer.unroll(first, absent, tf.constant(True), training=False)
        trainer._store(state)
        loss_carried = trainer.unroll(second, absent, tf.constant(False), training=False)[0].loss
        # the same chunk with the state handed over as tensors (no truncation) does depend on the first chunk
        trainer_theta = state[2]
        leak = tf.reduce_sum(trainer_theta)
    assert int(trainer.step_count.numpy()) == 5
    assert np.abs(trainer.hidden[0][0].numpy()).sum() > 0            # a hidden state was stored
    assert tape.gradient(loss_carried, first) is None                  # truncated: no gradient into chunk 1
    assert tape.gradient(leak, first) is not None                      # (the check can fail: chunk 1 does connect)
    fresh = trainer.unroll(second, absent, tf.constant(True), training=False)[0].loss
    assert float(fresh) != pytest.approx(float(loss_carried))         # the carried state changes the result


def _generated_features(tmp_path, unroll=5, length=10, count=4):
    sequences = generate_dataset(11, count, SyntheticConfig(num_frames=length, height=120, width=160))
    items = []
    for sequence in sequences:
        track = crop_track_from_sequence(sequence)
        items.append((track.name, track.crops[:length], track.boxes[:length]))
    seq_dir, feat_dir = str(tmp_path / "seq"), str(tmp_path / "feat")
    os.makedirs(seq_dir)
    write_sequence_shard(os.path.join(seq_dir, sequence_file_name(length, 0)), items)
    network = SiamFCNet(0.25, gain=0.05).build_for()   # a larger gain: untrained features give usable logits
    cache_features(seq_dir, feat_dir, network.backbone, progress=False)
    return network, feat_dir


def test_chunks_are_length_homogeneous_and_flag_resets(tmp_path):
    _, feat_dir = _generated_features(tmp_path)
    dataset, (size, channels) = chunk_dataset(feat_dir, batch_size=2, unroll=5)
    resets = []
    for features, absent, offsets, reset in dataset.take(4):
        assert offsets.shape == (2, 5, 2)
        assert features.shape[:2] == (2, 5) and features.shape[2] == size and features.shape[4] == channels
        resets.append(bool(reset))
    assert resets == [True, False, True, False]


def test_short_meta_training_lowers_the_loss(tmp_path):
    network, feat_dir = _generated_features(tmp_path)
    config = load_config(overrides={
        "updater": {"kind": "learned", "learned": {"hidden": 8, "layers": 2, "residual": False}},
        "meta": {"unroll": 5, "batch_size": 2, "steps": 60, "steps_per_epoch": 20, "lr": 1e-2,
                 "weight_decay": 0.0}})
    summary = train_updater(config, network, feat_dir, str(tmp_path / "run"), verbose=0)
    losses = summary["history"]["loss"]
    assert losses[-1] < 0.95 * losses[0]
    assert os.path.isfile(str(tmp_path / "run" / "updater.weights.h5"))


def test_jittered_search_regions_put_the_target_at_the_stored_offset():
    from tf_lu.training.feature_cache import SearchJitter, jitter_frames
    size, length = 63, 6
    frames = np.zeros((length, size, size, 3), np.uint8)
    frames[:, 29:34, 29:34] = 255                       # a 5x5 target centred on pixel 31 (the crop centre)
    boxes = np.tile([[29.0, 29.0, 5.0, 5.0]], (length, 1))
    crops, offsets = jitter_frames(frames, boxes, SearchJitter(sigma=6.0, limit=12.0, scale=0.05),
                                   np.random.default_rng(3))
    np.testing.assert_allclose(offsets[0], 0.0)        # the first frame is kept: it gives theta_1
    crops = crops.numpy()
    np.testing.assert_allclose(crops[0], frames[0], atol=1e-3)
    assert np.abs(offsets[1:]).max() > 1.0
    for crop, offset in zip(crops, offsets):
        weight = np.clip(crop[..., 0] - 64.0, 0.0, None)   # ignore the mean padding
        rows, cols = np.mgrid[:size, :size]
        centroid = np.array([(weight * rows).sum(), (weight * cols).sum()]) / weight.sum()
        np.testing.assert_allclose(centroid, 31.0 + offset, atol=0.5)


def test_mirrored_frames_keep_the_box_on_the_target():
    from tf_lu.training.feature_cache import mirror_frames
    size = 20
    frames = np.zeros((2, size, size, 3), np.uint8)
    frames[0, 4:9, 2:5] = 255                           # a 3 wide, 5 tall target at x = 2, y = 4
    boxes = np.array([[2.0, 4.0, 3.0, 5.0], [0.0, 0.0, 0.0, 0.0]])   # the second frame: target absent
    flipped, mirrored = mirror_frames(tf.constant(frames), boxes)
    flipped = flipped.numpy()
    np.testing.assert_array_equal(flipped[0], frames[0, :, ::-1])
    np.testing.assert_allclose(mirrored[0], [15.0, 4.0, 3.0, 5.0])   # 20 - 2 - 3
    x, y, w, h = mirrored[0].astype(int)
    assert flipped[0, y:y + h, x:x + w].min() == 255 and flipped[0].sum() == frames[0].sum()
    np.testing.assert_array_equal(mirrored[1], boxes[1])
    np.testing.assert_array_equal(boxes[0], [2.0, 4.0, 3.0, 5.0])     # the input is not changed in place


def test_mirrored_copies_share_the_feature_folder_and_keep_their_names(tmp_path):
    import glob
    from tf_lu.data.records.features import count_held_out, sequence_base_name
    network, feat_dir = _generated_features(tmp_path, count=2)
    cache_features(str(tmp_path / "seq"), feat_dir, network.backbone, progress=False, mirror=True)
    plain = glob.glob(os.path.join(feat_dir, "feat-*-seq.tfrecord"))
    mirrored = glob.glob(os.path.join(feat_dir, "feat-*-seq-mirror.tfrecord"))
    assert len(plain) == len(mirrored) == 1
    context = {"name": tf.io.FixedLenFeature([], tf.string)}
    names = [tf.io.parse_single_sequence_example(r, context)[0]["name"].numpy().decode()
             for r in tf.data.TFRecordDataset(plain + mirrored)]
    assert len(names) == 4 and names[:2] == names[2:]
    features = [tf.io.parse_single_sequence_example(r, context, FEATURE_LISTS)[1]["features"][1].numpy()
                for r in tf.data.TFRecordDataset(plain + mirrored)]
    assert features[0] != features[2]                           # the copy's features are really of other images
    held = sequence_base_name(names[0])
    assert count_held_out(plain + mirrored, {held})[1] == 2    # hold_out leaves out the mirrored copy too


def test_frame_labels_are_centred_on_the_target_offset():
    trainer = make_trainer(small_config())
    centred = trainer.frame_labels(tf.zeros((1, 2))).numpy()
    np.testing.assert_array_equal(centred, trainer.labels.numpy())
    shifted = trainer.frame_labels(tf.constant([[16.0, -8.0]])).numpy()   # 2 cells down, 1 cell left
    np.testing.assert_array_equal(shifted[0, 2:, :-1], centred[0, :-2, 1:])


def test_confidence_input_is_an_extra_channel_that_changes_the_output():
    from tf_lu.updaters.network import UpdaterNet
    net = UpdaterNet(C, hidden=5, layers=2, confidence_input=True).build_for(M)
    assert net.rnn.cells[0].weights[0].shape[2] in (C + 1, C + 1 + 5)   # input kernel sees C + 1 channels
    candidate, theta_1 = tf.random.normal((1, M, M, C), seed=3), tf.random.normal((1, M, M, C), seed=4)
    states = net.zero_states(1, M)
    trusted, _ = net(candidate, states, theta_1, confidence=tf.constant([1.0]))
    default, _ = net(candidate, states, theta_1)                         # None means fully trusted
    doubted, _ = net(candidate, states, theta_1, confidence=tf.constant([0.1]))
    np.testing.assert_allclose(default.numpy(), trusted.numpy(), rtol=1e-6, atol=1e-7)
    assert not np.allclose(trusted.numpy(), doubted.numpy())


def test_meta_training_step_with_confidence_input():
    config = load_config(overrides={
        "updater": {"kind": "learned", "learned": {"hidden": 6, "layers": 2, "confidence_input": True}},
        "meta": {"unroll": 5, "batch_size": 2}})
    trainer = make_trainer(config)
    losses, _ = trainer.unroll(tf.random.normal((2, 5, S, S, C), seed=5), tf.zeros((2, 5), tf.bool),
                               tf.constant(True), training=True)
    assert np.isfinite(float(losses.loss))


def test_tracking_time_updater_passes_the_frame_confidence():
    from tf_lu.updaters.learned import LearnedUpdater
    from tf_lu.updaters.network import UpdaterNet
    from tf_lu.updaters.base import FrameEvidence
    overrides = {"updater": {"kind": "learned", "learned": {"hidden": 5, "confidence_input": True}}}
    config = load_config(overrides=overrides).updater.learned
    net = UpdaterNet(C, hidden=5, layers=2, confidence_input=True).build_for(M)
    features = tf.random.normal((1, S, S, C), seed=6)
    theta_1 = window_at(features, tf.constant([[8, 8]]), M)
    thetas = []
    for confidence in (0.9, 0.1):
        updater = LearnedUpdater(config, net=net)
        state = updater.init(theta_1)
        evidence = FrameEvidence(candidate=None, search_features=lambda: features, peak=(3.0, 4.0),
                                 confidence=confidence)
        state, theta = updater.update(state, evidence)
        thetas.append(np.asarray(theta))
    assert thetas[0].shape == (1, M, M, C) and not np.allclose(thetas[0], thetas[1])


def test_time_reversal_plays_whole_sequences_backwards(tmp_path):
    _, feat_dir = _generated_features(tmp_path)
    forward, _ = chunk_dataset(feat_dir, batch_size=2, unroll=5, repeat=False)
    backward, _ = chunk_dataset(feat_dir, batch_size=2, unroll=5, repeat=False, reverse_prob=1.0)
    f0, f1 = [chunk for chunk in forward.take(2)]
    b0, b1 = [chunk for chunk in backward.take(2)]
    for part in range(3):   # features, absent flags and target offsets all run backwards
        np.testing.assert_array_equal(b0[part].numpy(), f1[part].numpy()[:, ::-1])
        np.testing.assert_array_equal(b1[part].numpy(), f0[part].numpy()[:, ::-1])
    assert bool(b0[3]) and not bool(b1[3])


def test_time_reversal_keeps_sequences_whose_last_frame_is_absent():
    from tf_lu.data.records.features import reverse_in_time
    features = tf.reshape(tf.range(4, dtype=tf.float32), (4, 1))
    offsets = tf.zeros((4, 2))
    kept = reverse_in_time(features, tf.constant([False, False, False, True]), offsets, tf.constant(0.0), 1.0)
    np.testing.assert_array_equal(kept[0].numpy()[:, 0], [0, 1, 2, 3])
    flipped = reverse_in_time(features, tf.zeros(4, tf.bool), offsets, tf.constant(0.0), 1.0)
    np.testing.assert_array_equal(flipped[0].numpy()[:, 0], [3, 2, 1, 0])
    unlucky = reverse_in_time(features, tf.zeros(4, tf.bool), offsets, tf.constant(0.7), 0.5)
    np.testing.assert_array_equal(unlucky[0].numpy()[:, 0], [0, 1, 2, 3])


def test_reverse_probability_outside_zero_one_is_a_clear_error(tmp_path):
    from tf_lu.errors import TfLuError
    with pytest.raises(TfLuError, match="reverse_prob"):
        chunk_dataset(str(tmp_path), batch_size=2, unroll=5, reverse_prob=1.5)


def test_first_template_is_taken_on_the_target_of_the_first_frame():
    trainer = make_trainer(small_config())
    features = tf.random.normal((2, 5, S, S, C), seed=4)
    offsets = tf.concat([tf.constant([[[16.0, -8.0]], [[0.0, 0.0]]]), tf.zeros((2, 4, 2))], axis=1)
    _, state = trainer.unroll(features, tf.zeros((2, 5), tf.bool), tf.constant(True), training=False,
                              offsets=offsets)
    centre = trainer.centre
    expected = window_at(features[:, 0], tf.constant([[centre + 2, centre - 1], [centre, centre]]), M)
    np.testing.assert_allclose(state[0].numpy(), expected.numpy(), atol=1e-6)


def test_held_out_sequences_are_left_out_of_meta_training(tmp_path):
    from tf_lu.data.records.features import sequence_base_name
    _, feat_dir = _generated_features(tmp_path)
    every = list(chunk_dataset(feat_dir, batch_size=2, unroll=5, repeat=False)[0])
    kept = list(chunk_dataset(feat_dir, batch_size=2, unroll=5, repeat=False,
                              hold_out=("synthetic-0001", "synthetic-0002"))[0])
    assert len(every) == 4 and len(kept) == 2      # 4 sequences of 10 frames -> 2 batches of 2 chunks; 2 left
    first_frames = {features[i, 0].numpy().tobytes() for features, _, _, reset in every if reset for i in range(2)}
    kept_frames = {features[i, 0].numpy().tobytes() for features, _, _, reset in kept if reset for i in range(2)}
    assert kept_frames < first_frames and len(kept_frames) == 2
    assert sequence_base_name("otb/vot_car1#2") == "vot_car1"
    assert sequence_base_name(tf.constant("got10k/GOT-10k_Train_000001#12")).numpy() == b"GOT-10k_Train_000001"


def test_a_held_out_name_that_is_not_in_the_features_is_a_clear_error(tmp_path):
    from tf_lu.errors import TfLuError
    _, feat_dir = _generated_features(tmp_path)
    with pytest.raises(TfLuError, match="not-a-sequence"):
        chunk_dataset(feat_dir, batch_size=2, unroll=5, hold_out=("synthetic-0001", "not-a-sequence"))


def test_hold_out_is_read_from_yaml_lists():
    config = load_config(overrides={"meta": {"hold_out": ["a", "b"]}})
    assert config.meta.hold_out == ("a", "b")
    from tf_lu.errors import TfLuError
    with pytest.raises(TfLuError, match="hold_out"):
        load_config(overrides={"meta": {"hold_out": [1, 2]}})


def test_the_no_update_loss_differs_from_the_updater_loss_once_the_template_moves():
    trainer = make_trainer(small_config())
    for weight in trainer.net.out.weights:
        weight.assign(tf.random.normal(weight.shape, stddev=0.5, seed=8))
    losses, _ = trainer.unroll(tf.random.normal((2, 5, S, S, C), seed=9), tf.zeros((2, 5), tf.bool),
                               tf.constant(True), training=False)
    assert float(losses.anchor) > 0 and float(losses.cls) != pytest.approx(float(losses.cls_none), rel=1e-3)


def test_held_out_dataset_scores_each_held_out_sequence_once(tmp_path):
    from tf_lu.data.records.features import held_out_chunk_dataset
    _, feat_dir = _generated_features(tmp_path, count=3)
    dataset, count, steps = held_out_chunk_dataset(feat_dir, batch_size=2, unroll=5, hold_out=("synthetic-0001",))
    chunks = list(dataset.take(steps))
    assert count == 1 and steps == 2                          # one batch of 2 (1 padding sequence) x 2 chunks
    again = list(dataset.take(2 * steps))[steps:]             # it repeats: the next pass is the same
    np.testing.assert_array_equal(again[0][0].numpy(), chunks[0][0].numpy())
    assert [bool(c[3]) for c in chunks] == [True, False]
    for features, absent, _, _ in chunks:
        assert not absent[0].numpy().all() and absent[1].numpy().all()   # the padding is never scored
    every = list(chunk_dataset(feat_dir, batch_size=1, unroll=5, repeat=False)[0])
    firsts = {f[0, 0].numpy().tobytes() for f, _, _, reset in every if reset}
    assert chunks[0][0][0, 0].numpy().tobytes() in firsts
    kept = list(chunk_dataset(feat_dir, batch_size=1, unroll=5, repeat=False, hold_out=("synthetic-0001",))[0])
    assert chunks[0][0][0, 0].numpy().tobytes() not in {f[0, 0].numpy().tobytes() for f, _, _, r in kept if r}


def test_meta_training_with_held_out_sequences_validates_on_them_and_keeps_its_state(tmp_path):
    from tf_lu.training.meta import evaluate_updater
    network, feat_dir = _generated_features(tmp_path, count=3)
    config = load_config(overrides={
        "updater": {"kind": "learned", "learned": {"hidden": 4, "layers": 1}},
        "meta": {"unroll": 5, "batch_size": 2, "steps": 6, "steps_per_epoch": 2, "hold_out": ["synthetic-0002"]}})
    summary = train_updater(config, network, feat_dir, str(tmp_path / "run"), verbose=0)
    history = summary["history"]
    assert len(history["val_cls"]) == 3 and len(history["val_cls_none"]) == 3
    assert history["val_cls_none"][0] == pytest.approx(history["val_cls_none"][2], rel=1e-6)   # each pass: all of it
    assert all(np.isfinite(history["val_cls"])) and history["cls_none"][0] > 0
    scores = evaluate_updater(config, network, feat_dir, str(tmp_path / "run" / "updater.weights.h5"), verbose=0)
    assert scores["sequences"] == 1
    assert scores["cls_none"] == pytest.approx(history["val_cls_none"][-1], rel=1e-5)   # never updating: no weights


def test_validation_puts_the_training_state_back():
    from tf_lu.training.meta import KeepTrainingState
    trainer = make_trainer(small_config())
    _, state = trainer.unroll(tf.random.normal((2, 5, S, S, C), seed=1), tf.zeros((2, 5), tf.bool),
                              tf.constant(True), training=False)
    trainer._store(state)
    before = trainer.carried_state()
    keep = KeepTrainingState()
    keep.set_model(trainer)
    keep.on_test_begin()
    _, other = trainer.unroll(tf.random.normal((2, 5, S, S, C), seed=2), tf.zeros((2, 5), tf.bool),
                              tf.constant(True), training=False)
    trainer._store(other)
    assert not np.allclose(trainer.theta_1.numpy(), before[0])
    keep.on_test_end()
    for saved, now in zip(before, trainer.carried_state()):
        np.testing.assert_array_equal(saved, now)


def test_peak_error_is_the_distance_from_the_response_peak_to_the_target():
    trainer = make_trainer(small_config())
    response = trainer.labels.shape[1]
    logits = np.zeros((2, response, response, 1), np.float32)
    c = trainer.centre
    logits[0, c + 2, c - 1] = 5.0          # peak 2 cells down, 1 left of the centre
    logits[1, c, c] = 5.0                  # peak at the centre
    targets = tf.constant([[2.0, -1.0], [3.0, 4.0]])
    np.testing.assert_allclose(trainer.peak_distance(tf.constant(logits), targets).numpy(), [0.0, 5.0])


def test_norm_to_first_keeps_the_template_at_the_first_templates_norm():
    from tf_lu.updaters.network import UpdaterNet
    net = UpdaterNet(C, hidden=5, layers=1, norm_to_first=True).build_for(M)
    for weight in net.out.weights:
        weight.assign(tf.random.normal(weight.shape, stddev=0.3, seed=3))
    theta_1 = tf.random.normal((2, M, M, C), seed=4)
    theta, _ = net(tf.random.normal((2, M, M, C), seed=5), net.zero_states(2, M), theta_1)
    np.testing.assert_allclose(tf.norm(tf.reshape(theta, [2, -1]), axis=1).numpy(),
                               tf.norm(tf.reshape(theta_1, [2, -1]), axis=1).numpy(), rtol=1e-5)
    assert not np.allclose(theta.numpy(), theta_1.numpy(), atol=1e-3)   # the direction still changes
    assert UpdaterNet.from_config(net.get_config()).norm_to_first
