"""The learned updater at tracking time (:class:`LearnedUpdater`) and the feature window the meta-training reads.

The network u_phi itself is in :mod:`tf_lu.updaters.network`: a stack of convolutional recurrent layers that turns the
sequence of candidate models g(x_1), g(x_2), ... into templates (the paper's Sec. IV).

Step 1: each target feature is projected by the head's ``g`` (identity for SiamFC).  Step 2: two stacked ConvGRU
layers (3x3, zero padding, layer normalization and dropout inside, :mod:`tf_lu.updaters.recurrent`) advance their hidden
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

import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.updaters.network import load_updater_net
from tf_lu.updaters.base import Updater


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
            if not self.config.updater_weights:
                raise TfLuError("the learned updater config names no weights (key 'updater.updater_weights')")
            self.net = load_updater_net(self.config.updater_weights, self.config,
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
