"""The learned updater u_phi: a stack of convolutional recurrent layers that turns the sequence of candidate models
g(x_1), g(x_2), ... into templates (the paper's Sec. IV).

Step 1: each target feature is projected by the head's ``g`` (identity for SiamFC).  Step 2: two stacked ConvGRU
layers (3x3, zero padding, layer normalization and dropout inside, :mod:`tf_lu.recurrent`) advance their hidden
state with it.  Step 3: one 3x3 convolution over the concatenation of every layer's hidden state outputs the new
template theta.  With ``residual`` the output is added to theta_1 (a departure from the paper, on by default here:
it starts training from "no update" instead of from noise, which matters on a CPU budget; ablated in RESULTS).
With ``confidence_input`` (an extension, off by default) the recurrent layers also see, as one extra constant input
channel, the tracker's confidence in the frame: the sigmoid of the response peak that located the candidate (1 on the
first frame), so the updater can learn how much to trust a candidate.
With ``norm_to_first`` (an extension, off by default) each output template is rescaled to theta_1's norm.  Where SiamFC
puts the target within a scale is blind to the template's scale (the response is min-shifted and normalised before
the peak is taken), but the meta-training logistic loss is not, so without it part of what the updater
learns is the response's calibration, which tracking never uses (docs/UPDATER_SEARCH.md section 1j).

Tracking keeps only the hidden state (memory does not grow with the sequence); the template used for detection is
replaced every ``interval`` frames (M) while the hidden state advances every frame.  The target feature of frame t
is the m x m window of that frame's search features at the predicted peak, exactly as in meta-training.
"""
import dataclasses
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.recurrent import StackedConvRNN
from tf_lu.updaters import Updater


@keras.saving.register_keras_serializable(package="tf_lu")
class UpdaterNet(keras.Model):
    """``(candidate, states, theta_1) -> (theta, new_states)`` for one frame."""

    def __init__(self, channels, hidden=192, layers=2, cell="convgru", dropout=0.0, layer_norm=True,
                 residual=True, confidence_input=False, norm_to_first=False, **kwargs):
        super().__init__(**kwargs)
        self.channels, self.hidden, self.num_layers, self.cell_kind = channels, hidden, layers, cell
        self.dropout, self.layer_norm, self.residual = dropout, layer_norm, residual
        self.confidence_input = bool(confidence_input)
        self.norm_to_first = bool(norm_to_first)
        self.rnn = StackedConvRNN(hidden, num_layers=layers, kind=cell, dropout=dropout, layer_norm=layer_norm,
                                  name="rnn")
        self.out = keras.layers.Conv2D(channels, 3, padding="same", name="output",
                                       kernel_initializer=keras.initializers.RandomNormal(stddev=1e-3))

    def zero_states(self, batch, size):
        return self.rnn.zero_states(batch, size, size)

    def call(self, candidate, states, theta_1, training=False, confidence=None):
        """``confidence`` (B,) in [0, 1] is used only with ``confidence_input``; None means 1 (fully trusted)."""
        if self.confidence_input:
            shape = tf.shape(candidate)
            confidence = tf.ones(shape[:1]) if confidence is None else tf.reshape(
                tf.cast(confidence, candidate.dtype), [-1])
            plane = tf.broadcast_to(confidence[:, None, None, None], tf.concat([shape[:3], [1]], axis=0))
            candidate = tf.concat([candidate, plane], axis=-1)
        outputs, states = self.rnn.step(candidate, states, training=training)
        theta = self.out(tf.concat(outputs, axis=-1))
        if self.residual:
            theta = theta + theta_1
        if self.norm_to_first:
            norm = lambda t: tf.sqrt(tf.reduce_sum(tf.square(t), axis=[1, 2, 3], keepdims=True) + 1e-12)
            theta = theta * (norm(theta_1) / norm(theta))
        return theta, states

    def build_for(self, size):
        zeros = tf.zeros((1, size, size, self.channels))
        self(zeros, self.zero_states(1, size), zeros)
        return self

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "hidden": self.hidden, "layers": self.num_layers,
                "cell": self.cell_kind, "dropout": self.dropout, "layer_norm": self.layer_norm,
                "residual": self.residual, "confidence_input": self.confidence_input,
                "norm_to_first": self.norm_to_first}


def window_at(features, starts, size):
    """The ``size`` x ``size`` windows of ``features`` (B, S, S, C) starting at integer ``starts`` (B, 2) = (row, col),
    clipped to the map.  Differentiable in ``features``; the positions carry no gradient."""
    s = tf.shape(features)[1]
    starts = tf.clip_by_value(tf.cast(starts, tf.int32), 0, s - size)
    starts = tf.cast(tf.stop_gradient(starts), tf.float32)
    denom = tf.cast(s - 1, tf.float32)
    boxes = tf.concat([starts, starts + (size - 1)], axis=1) / denom   # [row1, col1, row2, col2]
    return tf.image.crop_and_resize(features, boxes, tf.range(tf.shape(features)[0]), [size, size])


@dataclasses.dataclass
class LearnedState:
    rnn: Any
    theta_1: Any
    theta: Any
    step: int


class LearnedUpdater(Updater):
    """Tracking-time wrapper of a trained :class:`UpdaterNet` (config ``updater.kind: learned``)."""

    def __init__(self, config, net=None):
        self.interval = max(1, int(config.interval))
        self.config = config
        self.net = net
        self._template_fn = None

    def _ensure_net(self, theta):
        if self.net is None:
            from tf_lu.tracker import resolve_path
            if not self.config.updater_weights:
                raise TfLuError("the learned updater config names no weights (key 'updater.updater_weights')")
            self.net = load_updater_net(resolve_path(self.config.updater_weights), self.config,
                                        channels=int(theta.shape[-1]), size=int(theta.shape[1]))
        if self._template_fn is None:
            self._template_fn = tf.function(self.template, reduce_retracing=True)

    def init(self, theta):
        self._ensure_net(theta)
        size = int(theta.shape[1])
        theta_new, states = self.net(theta, self.net.zero_states(1, size), theta, training=False)
        return LearnedState(states, theta, theta_new, 0)

    def defer(self, state, evidence):
        """Takes frame t in; the network step on it runs in ``template``, inside the tracker's next search step."""
        if evidence.search_pyramid is not None:
            features, scale = evidence.search_pyramid(), evidence.scale
        else:
            features, scale = evidence.search_features(), 0
        size = int(state.theta_1.shape[1])
        limit = int(features.shape[1]) - size
        start = np.clip(np.round(np.asarray(evidence.peak, dtype=np.float64)), 0, limit).astype(np.int32)
        step = state.step + 1
        inputs = (features, np.int32(scale), start, state.rnn, state.theta_1, state.theta,
                  np.float32([evidence.confidence]), np.bool_(step % self.interval == 0))
        return dataclasses.replace(state, step=step), inputs

    def template(self, inputs):
        """In graph: the m x m window of scale ``scale`` at ``start`` (row, col), one network step, and the template
        for the next frame (the new one every M-th step, else the previous one).  Right after ``init`` the inputs are
        theta_1 itself (the tracker's first search), which passes through."""
        if not isinstance(inputs, tuple):
            return super().template(inputs)
        features, scale, start, states, theta_1, theta_prev, confidence, replace = inputs
        size = tf.shape(theta_1)[1]
        candidate = tf.slice(features, tf.stack([scale, start[0], start[1], 0]), tf.stack([1, size, size, -1]))
        theta_new, states = self.net(candidate, states, theta_1, training=False, confidence=confidence)
        theta = tf.where(replace, theta_new, theta_prev)
        return theta, (states, theta)

    def settle(self, state, outputs):
        if not outputs:
            return state
        states, theta = outputs
        return dataclasses.replace(state, rnn=states, theta=theta)

    def update(self, state, evidence):
        """The eager form (one graph call of its own): ``defer``, ``template`` and ``settle`` in a row."""
        state, inputs = self.defer(state, evidence)
        theta, outputs = self._template_fn(inputs)
        return self.settle(state, outputs), theta


def load_weights_into(net, path):
    """Load updater weights ``path`` into the built ``net``; a missing or mismatched file is a :class:`TfLuError`."""
    import os
    if not path or not os.path.isfile(path):
        raise TfLuError(f"updater weights not found: {path}")
    try:
        net.load_weights(path)
    except (ValueError, OSError) as exc:
        raise TfLuError(f"cannot load updater weights {path}: {str(exc).splitlines()[0]}") from None
    return net


def load_updater_net(path, config, channels, size):
    net = UpdaterNet(channels, config.hidden, config.layers, config.cell, 0.0, config.layer_norm,
                     config.residual, config.confidence_input, config.norm_to_first).build_for(size)
    return load_weights_into(net, path)
