"""Meta-training of the learned updater: stateful truncated BPTT over cached search features, with ``model.fit``.

Every batch holds ``B`` sequences of one bucket length, cut into chunks of ``H`` frames (``chunk_dataset``).
:class:`MetaTrainer.train_step` processes one chunk frame by frame:

1. on the first frame of a sequence (``reset``) the carried state restarts: theta_1 = g(x_1), the head's ``g`` of the
   window on the target in the first frame's features (the centre, unless the sequence is played backwards from a
   jittered frame), hidden state zero;
2. on every later frame t the current template is scored on frame t's search features by the head's ``respond`` with
   the network's own response adjust, frozen (SiamFC: gain and bias; CFNet: gain, learned scale and bias), against
   labels centred on the target (its offset from the crop centre comes with the features; zero for ground-truth-centred
   crops): the loss is
   ``(1 - lambda) * balanced logistic + lambda * ||theta - theta_1||^2 / (m m d)`` (``meta.loss: softmax`` puts a
   cross-entropy over positions in place of the logistic term, an extension; with ``updater.learned.scale_to_first`` the
   anchor term is in units of theta_1's RMS s, ``||theta - theta_1||^2 / (s^2 m m d)``, as the network sees it); its
   peak is the estimated position (unless teacher forcing), clipped to ``max_shift`` cells;
3. the candidate g(x_t) is made from the window at the estimated position, the recurrent updater advances (with
   ``confidence_input``, also fed the sigmoid of the response peak, as the tracker does; 1 on the first frame), and the
   template used for detection is replaced every M frames (interval update).

The head is the base tracker's (:func:`tf_lu.models.networks.head_for`): for SiamFC ``g`` is the identity and the
window is the template's m x m; for CFNet ``g`` solves the correlation filter from the window (``2 * margin`` cells
wider than the filter), so the updater's inputs and outputs are filters, as in tracking
(:class:`tf_lu.updaters.learned.LearnedUpdater`).  Labels and shifts use the config's ``track.total_stride`` and
``train.positive_radius``.

Gradients flow through the H frames of the chunk only; the state is carried to the next chunk without gradient
(stored in non-trainable variables).  Absent frames contribute no loss.

Beside the loss, ``cls_none`` is the classification loss (logistic or softmax, as trained) of never updating (theta_1
scored on the same frames and labels): ``cls`` below ``cls_none`` means the updater beats no update on these
sequences.  ``peak_error`` and ``peak_error_none`` are the mean distances, in response cells, from the
(cosine-windowed, if configured) response peak to the target: the loss can fall through a better-calibrated response
alone, a localisation gain shows here.  With ``meta.hold_out`` the held-out sequences are scored every epoch
(``val_cls``, ``val_cls_none``): that comparison is out of sample.

Under a ``tf.distribute`` strategy (:mod:`tf_lu.training.distribute`) each replica runs ``B / replicas`` of the batch's
sequences and carries their state in its own copy of the state variables (``synchronization=ON_READ``); the losses are
sums over each replica's frames divided by the scored frames of all replicas, so the summed gradients are those of the
global batch.
"""
import collections
import os

import keras
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

from tf_lu.atomic_files import write_json_atomic
from tf_lu.config import to_dict
from tf_lu.errors import TfLuError
from tf_lu.models.correlation_gradient import respond_with_fast_gradient
from tf_lu.models.networks import head_for
from tf_lu.updaters.learned import window_at
from tf_lu.models.labels import centred_label_map, label_maps
from tf_lu.models.losses import CLASSIFICATION_LOSSES, anchor_loss
from tf_lu.models.response import blend_window, hann_window
from tf_lu.data.records.features import chunk_dataset, feature_shape, held_out_chunk_dataset
from tf_lu.data.shard_check import checked_records
from tf_lu.training.distribute import (distribute_rows, fitting_scope, global_sum, keep_float32, output_dir,
                                       precision_policy, replica_batch)
from tf_lu.training.fitting import SUMMARY_FILE, completed_run, fit_resumable, save_weights_atomic
from tf_lu.updaters.network import UpdaterNet, load_weights_into


ChunkLosses = collections.namedtuple("ChunkLosses", "loss cls anchor cls_none peak_error peak_error_none")
FrameScores = collections.namedtuple("FrameScores", "cls anchor cls_none peak_error peak_error_none logits")


class MetaTrainer(keras.Model):
    """Wraps an :class:`UpdaterNet` and a frozen head (``g``, ``respond`` and ``feature_side``, see
    :mod:`tf_lu.models.heads`); carries the truncated-BPTT state.  ``template_size`` is the side of theta.
    ``fast_gradient`` (on by default) differentiates the response's correlation with forward convolutions
    (:mod:`tf_lu.models.correlation_gradient`); off, with TensorFlow's own gradient (the same values, slower)."""

    def __init__(self, net, head, batch, size, channels, template_size, meta_config, interval=1, stride=8,
                 positive_radius=16.0, window_influence=0.0, fast_gradient=True):
        super().__init__()
        self.fast_gradient = bool(fast_gradient)
        self.net, self.head, self.cfg, self.interval = net, head, meta_config, max(1, int(interval))
        self.adjust = head.adjust          # tracked, so checkpoints hold it; never trained
        self.adjust.trainable = False
        if meta_config.loss not in CLASSIFICATION_LOSSES:
            raise TfLuError(f"meta.loss: unknown {meta_config.loss!r} (known: {', '.join(CLASSIFICATION_LOSSES)})")
        self.classification = CLASSIFICATION_LOSSES[meta_config.loss]
        self.batch = replica_batch(batch, tf.distribute.get_strategy().num_replicas_in_sync)
        self.size, self.channels, self.m = size, channels, template_size
        response = size - template_size + 1
        self.labels = tf.constant(centred_label_map(response, stride, positive_radius)[None, :, :, None])
        self.stride, self.radius = float(stride), float(positive_radius)
        self.response_size = response
        self.centre = (size - template_size) // 2
        self.window_side = int(head.feature_side(template_size))
        self.window_centre = (size - self.window_side) // 2
        self.window = tf.constant(hann_window(response))[None]
        self.window_influence = float(window_influence)
        t_shape = (self.batch, template_size, template_size, channels)
        self.theta_1, self.theta = carried_variable(tf.zeros(t_shape)), carried_variable(tf.zeros(t_shape))
        self.position = carried_variable(tf.zeros((self.batch, 2), tf.int32))
        self.step_count = carried_variable(tf.constant(0))
        self.hidden = [[carried_variable(tf.zeros(s.shape)) for s in layer]
                       for layer in net.zero_states(self.batch, template_size)]
        self.loss_tracker = keras.metrics.Mean(name="loss")
        self.cls_tracker = keras.metrics.Mean(name="cls")
        self.anchor_tracker = keras.metrics.Mean(name="anchor")
        self.cls_none_tracker = keras.metrics.Mean(name="cls_none")
        self.peak_tracker = keras.metrics.Mean(name="peak_error")
        self.peak_none_tracker = keras.metrics.Mean(name="peak_error_none")

    @property
    def metrics(self):
        return [self.loss_tracker, self.cls_tracker, self.anchor_tracker, self.cls_none_tracker, self.peak_tracker,
                self.peak_none_tracker]

    def _carried_state(self, reset, first_features, first_cells):
        """The state at the start of a chunk: the stored one, or a fresh one when a new batch of sequences starts
        (theta_1 is g of the window on the target in the first frame, ``first_cells`` (B, 2) feature cells off the
        centre)."""
        theta_1 = tf.where(reset, self.candidate(first_features, first_cells), self.theta_1)
        hidden = [[tf.where(reset, tf.zeros_like(v), tf.identity(v)) for v in layer] for layer in self.hidden]
        theta = tf.where(reset, theta_1, self.theta)
        position = tf.where(reset, tf.zeros_like(self.position), self.position)
        step = tf.where(reset, 0, self.step_count)
        return theta_1, hidden, theta, position, step

    def candidate_window(self, features, cells):
        """The target windows of ``features`` (B, S, S, C) centred ``cells`` (B, 2) off the centre (g's input)."""
        return window_at(features, cells + self.window_centre, self.window_side)

    def candidate(self, features, cells):
        """g of the windows of ``features`` (B, S, S, C) centred ``cells`` (B, 2) off the centre: (B, m, m, C)."""
        return self.head.g(self.candidate_window(features, cells))

    def frame_labels(self, offsets):
        """(B, R, R, 1) label maps centred on targets ``offsets`` (B, 2) (row, col) crop pixels off the centre."""
        peaks = offsets / self.stride + (self.response_size - 1) / 2.0
        return label_maps(self.response_size, peaks, self.stride, self.radius, dtype=tf.float32)[..., None]

    def windowed(self, logits):
        """The tracker's peak score on the response grid: min-shifted, normalised, blended with the cosine window."""
        return blend_window(tf.stop_gradient(logits[..., 0]), self.window, self.window_influence, xp=tnp)

    def peak_cells(self, logits):
        """(B, 2) int32 (row, col) of the windowed response peak, in cells off the centre."""
        flat = tf.argmax(tf.reshape(self.windowed(logits), [self.batch, -1]), axis=1, output_type=tf.int32)
        width = tf.shape(logits)[2]
        return tf.stack([flat // width, flat % width], axis=1) - self.centre

    def peak_distance(self, logits, target_cells):
        """(B,) distance in cells from the response peak to the target (``target_cells`` (B, 2) float)."""
        return tf.norm(tf.cast(self.peak_cells(logits), tf.float32) - target_cells, axis=1)

    def respond(self, theta, frame):
        """The head's response (its ``respond``), with the correlation's fast gradient unless ``fast_gradient`` is
        off."""
        if self.fast_gradient:
            return respond_with_fast_gradient(self.head, theta, frame)
        return self.head.respond(theta, frame)

    def score(self, theta, theta_1, unit, frame, labels, target_cells):
        """One frame's terms for every sequence, each (B,): ``FrameScores`` of theta's classification loss, the anchor
        term, never updating's classification loss and both peaks' distances from ``target_cells``, with theta's
        logits."""
        logits = self.respond(theta, frame)
        cls = self.classification(labels, logits)
        anchor = anchor_loss(theta, theta_1) if unit is None else anchor_loss(theta / unit, theta_1 / unit)
        never_updated = self.respond(tf.stop_gradient(theta_1), frame)
        none = tf.stop_gradient(self.classification(labels, never_updated))
        return FrameScores(cls, anchor, none, self.peak_distance(logits, target_cells),
                           self.peak_distance(never_updated, target_cells), logits)

    def advance(self, frame, logits, position, step, cells, hidden, theta_1, training):
        """The estimated position, the candidate g(x_t) there and one network step: ``(position, theta_new,
        hidden)``."""
        if self.cfg.teacher_forcing:
            estimate = cells
        else:
            estimate = tf.clip_by_value(self.peak_cells(logits), -self.cfg.max_shift, self.cfg.max_shift)
        position = tf.where(tf.equal(step, 0), cells, estimate)   # first frame: the given box
        candidate = self.candidate(frame, position)
        confidence = tf.where(tf.equal(step, 0), 1.0,
                              tf.sigmoid(tf.reduce_max(tf.stop_gradient(logits), axis=[1, 2, 3])))
        theta_new, hidden = self.net(candidate, hidden, theta_1, training=training, confidence=confidence)
        return position, tf.cast(theta_new, tf.float32), [[tf.cast(v, tf.float32) for v in layer] for layer in hidden]

    def unroll(self, features, absent, reset, training, offsets=None):
        """Run one chunk; returns (:class:`ChunkLosses` of means over the scored frames, final state).  ``offsets``
        (B, H, 2): where the target sits in each frame's search crop (crop pixels from the centre, (row, col)); None:
        at the centre."""
        lam = self.cfg.anchor_lambda
        cells = tf.zeros((self.batch, self.cfg.unroll, 2), tf.int32) if offsets is None else tf.clip_by_value(
            tf.cast(tf.round(offsets / self.stride), tf.int32), -self.cfg.max_shift, self.cfg.max_shift)
        theta_1, hidden, theta, position, step = self._carried_state(reset, features[:, 0], cells[:, 0])
        unit = self.net.unit(theta_1)        # None unless updater.learned.scale_to_first
        sums = [tf.constant(0.0)] * 6        # loss, cls, anchor, cls_none, peak_error, peak_error_none
        target_cells = tf.zeros((self.batch, self.cfg.unroll, 2)) if offsets is None else offsets / self.stride
        count = tf.constant(0.0)
        for k in range(self.cfg.unroll):
            frame = features[:, k]
            weight = tf.cast(tf.logical_not(tf.logical_or(absent[:, k], tf.equal(step, 0))), tf.float32)
            labels = tf.broadcast_to(self.labels, (self.batch,) + tuple(self.labels.shape[1:])) \
                if offsets is None else self.frame_labels(offsets[:, k])
            scores = self.score(theta, theta_1, unit, frame, labels, target_cells[:, k])
            terms = ((1 - lam) * scores.cls + lam * scores.anchor,) + tuple(scores)[:5]
            sums = [total + tf.reduce_sum(weight * term) for total, term in zip(sums, terms)]
            count += tf.reduce_sum(weight)
            position, theta_new, hidden = self.advance(frame, scores.logits, position, step, cells[:, k], hidden,
                                                       theta_1, training)
            theta = tf.where(tf.equal(step % self.interval, 0), theta_new, theta)
            step += 1
        count = tf.maximum(global_sum(count), 1.0)   # every replica's scored frames
        return ChunkLosses(*(total / count for total in sums)), (theta_1, hidden, theta, position, step)

    def _store(self, state):
        theta_1, hidden, theta, position, step = state
        self.theta_1.assign(tf.stop_gradient(theta_1))
        self.theta.assign(tf.stop_gradient(theta))
        self.position.assign(position)
        self.step_count.assign(step)
        for layer_vars, layer in zip(self.hidden, hidden):
            for var, value in zip(layer_vars, layer):
                var.assign(tf.stop_gradient(value))

    def _track(self, losses):
        for tracker, value in zip(self.metrics, global_sum(tuple(losses))):
            tracker.update_state(value)
        return {m.name: m.result() for m in self.metrics}

    def train_step(self, data):
        features, absent, offsets, reset = data
        absent, reset = tf.cast(absent, tf.bool), tf.cast(reset, tf.bool)   # int32 when distributed
        with tf.GradientTape() as tape:
            losses, state = self.unroll(features, absent, reset, training=True, offsets=offsets)
            scaled = self.optimizer.scale_loss(losses.loss)
        variables = self.net.trainable_variables
        self.optimizer.apply_gradients(zip(tape.gradient(scaled, variables), variables))
        self._store(state)
        return self._track(losses)

    def test_step(self, data):
        features, absent, offsets, reset = data
        absent, reset = tf.cast(absent, tf.bool), tf.cast(reset, tf.bool)   # int32 when distributed
        losses, state = self.unroll(features, absent, reset, training=False, offsets=offsets)
        self._store(state)
        return self._track(losses)

    def _carried_variables(self):
        return [self.theta_1, self.theta, self.position, self.step_count] + [v for layer in self.hidden for v in layer]

    def carried_state(self):
        """The carried state as NumPy arrays: per variable, one array per local replica."""
        local = self.distribute_strategy.experimental_local_results
        return [[part.numpy() for part in local(var)] for var in self._carried_variables()]

    def restore_carried_state(self, values):
        local = self.distribute_strategy.experimental_local_results
        for var, parts in zip(self._carried_variables(), values):
            for part, value in zip(local(var), parts):
                part.assign(value)


def carried_variable(value):
    """A non-trainable variable of the carried state: under a strategy every replica keeps its own value (its
    sequences' state); read outside a replica it is the first replica's."""
    return tf.Variable(value, trainable=False, synchronization=tf.VariableSynchronization.ON_READ,
                       aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)


class KeepTrainingState(keras.callbacks.Callback):
    """Validation runs sequences through the same carried state; put the training state back afterwards so the
    training chunk that follows continues its own sequence."""

    def on_test_begin(self, logs=None):
        self._saved = self.model.carried_state()

    def on_test_end(self, logs=None):
        self.model.restore_carried_state(self._saved)


def build_meta_trainer(config, head, size, channels, template_size=6, fast_gradient=True):
    """A compiled :class:`MetaTrainer` of ``config`` scoring with the frozen ``head`` on (S, S, C) = (``size``,
    ``size``, ``channels``) features, for templates of side ``template_size``."""
    cfg = config.meta
    upd = config.updater.learned
    net = UpdaterNet(channels, upd.hidden, upd.layers, upd.cell, upd.dropout, upd.layer_norm, upd.residual,
                     upd.confidence_input, upd.norm_to_first, upd.scale_to_first)
    net.build_for(template_size)
    trainer = MetaTrainer(net, head, cfg.batch_size, size, channels, template_size, cfg, upd.interval,
                          stride=config.track.total_stride, positive_radius=config.train.positive_radius,
                          window_influence=config.track.window_influence if cfg.cosine_window else 0.0,
                          fast_gradient=fast_gradient)
    keep_float32(trainer)
    trainer.compile(optimizer=keras.optimizers.AdamW(cfg.lr, weight_decay=cfg.weight_decay))
    trainer.optimizer.build(trainer.net.trainable_variables)
    trainer.built = True  # every weight exists already (the net is built); BackupAndRestore needs this
    return trainer


def head_and_sides(config, network, features_dir):
    """``(frozen head, S, C, template side)`` for meta-training on the cached ``features_dir`` of ``network`` (a
    ``config.backbone.kind`` network): :func:`head_for_features` of the cached features' shape."""
    size, _, channels = feature_shape(features_dir)
    return head_for_features(config, network, size, channels, features_dir)


def head_for_features(config, network, size, channels, source):
    """``(frozen head, S, C, template side)`` for (S, S, C) = (``size``, ``size``, ``channels``) search features of
    ``network``: the head of :func:`tf_lu.models.networks.head_for` with a frozen copy of the network's response adjust,
    and the side of g of the exemplar features (``track.exemplar_size`` crops), as in tracking.  Features of another
    extractor (other channels) or too small for a window are a :class:`TfLuError` naming ``source``."""
    side = config.track.exemplar_size
    exemplar = tuple(int(d) for d in network.backbone.compute_output_shape((1, side, side, 3)))
    if exemplar[-1] != channels:
        raise TfLuError(f"{source}: the cached features have {channels} channels, the {config.backbone.kind} "
                        f"extractor gives {exemplar[-1]}; cache them with this config (tf-lu cache-features)")
    head = head_for(config, network).frozen()
    template_size = int(head.g(tf.zeros(exemplar)).shape[1])
    if head.feature_side(template_size) > size:
        raise TfLuError(f"{source}: {size}x{size} cached features are smaller than the {exemplar[1]}x"
                        f"{exemplar[1]} target window of track.exemplar_size {side}")
    return head, size, channels, template_size


def meta_identity(config):
    """The settings a resumed meta-training run must share with the run it continues: the learned updater's section
    and the meta-training settings but the step count."""
    return {"updater": to_dict(config)["updater"]["learned"],
            "meta": {k: v for k, v in to_dict(config)["meta"].items() if k != "steps"}}


def train_updater(config, network, features_dir, out_dir, verbose=1, extra_callbacks=(), strategy=None,
                  precision="float32", skip_unreadable=False):
    """Meta-train the learned updater on cached features for exactly ``config.meta.steps`` steps; resumable (rerun
    the same call), and a finished run is reported, not redone.  Writes ``updater.weights.h5``.  The feature shards
    are checked first (:mod:`tf_lu.data.shard_check`; ``skip_unreadable`` leaves unreadable records out and counts
    them).  ``strategy``: a ``tf.distribute`` strategy (default: one device); ``precision``: Keras' dtype policy for
    the updater network."""
    cfg = config.meta
    strategy = strategy or tf.distribute.get_strategy()
    out_dir = output_dir(out_dir, strategy)
    done = completed_run(out_dir, cfg.steps, "updater.weights.h5", meta_identity(config))
    if done:
        return done
    features_dir, skipped = checked_records(features_dir, os.path.join(out_dir, "readable-features"),
                                            skip_unreadable, what="features")
    keras.utils.set_random_seed(cfg.seed)
    chunks = lambda: chunk_dataset(features_dir, cfg.batch_size, cfg.unroll, cfg.seed, reverse_prob=cfg.reverse_prob,
                                   hold_out=cfg.hold_out)
    dataset = lambda start: distribute_rows(strategy, lambda: chunks()[0].skip(start), cfg.batch_size)
    with precision_policy(precision), strategy.scope():
        trainer = build_meta_trainer(config, *head_and_sides(config, network, features_dir))
    validation, validation_steps, callbacks = None, None, tuple(extra_callbacks)
    if cfg.hold_out:
        held_out = lambda: held_out_chunk_dataset(features_dir, cfg.batch_size, cfg.unroll, cfg.hold_out)
        validation_steps = held_out()[2]
        validation = distribute_rows(strategy, lambda: held_out()[0], cfg.batch_size)
        callbacks = (KeepTrainingState(),) + callbacks
    with fitting_scope(trainer, strategy):
        history, steps_run, wall = fit_resumable(trainer, dataset, out_dir, cfg.steps, cfg.steps_per_epoch, verbose,
                                                 callbacks, validation_data=validation,
                                                 validation_steps=validation_steps, identity=meta_identity(config))
    save_weights_atomic(trainer.net, os.path.join(out_dir, "updater.weights.h5"))
    summary = {"steps": cfg.steps, "steps_this_run": steps_run, "epochs_this_run": len(history.history.get("loss", [])),
               "wall_seconds_this_run": round(wall, 1), "skipped_records": skipped,
               "history": {k: [float(x) for x in v] for k, v in history.history.items()},
               "updater": to_dict(config)["updater"], "meta": to_dict(config)["meta"]}
    write_json_atomic(os.path.join(out_dir, SUMMARY_FILE), summary)
    return summary


def evaluate_updater(config, network, features_dir, weights, verbose=1):
    """Score trained updater ``weights`` on the held-out sequences ``config.meta.hold_out`` of ``features_dir``:
    ``{"sequences", "loss", "cls", "anchor", "cls_none", "peak_error", "peak_error_none"}`` (means over the scored
    frames; ``*_none``: never updating).
    Positions are estimated by the updater's own templates, as in tracking."""
    cfg = config.meta
    dataset, count, steps = held_out_chunk_dataset(features_dir, cfg.batch_size, cfg.unroll, cfg.hold_out)
    trainer = build_meta_trainer(config, *head_and_sides(config, network, features_dir))
    load_weights_into(trainer.net, weights)
    result = trainer.evaluate(dataset, steps=steps, verbose=verbose, return_dict=True)
    return {"sequences": count, **{k: float(v) for k, v in result.items()}}
