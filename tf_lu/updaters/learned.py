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
learns is the response's calibration, which tracking never uses (docs/experiments/2026-11-25-updater-search/UPDATER_SEARCH.md, "What the meta-training loss measures").
With ``scale_to_first`` (an extension, off by default) the network is scale-free: per stream, s is the RMS of theta_1
over all its elements (plus 1e-12, without gradient); the recurrent layers see candidate / s and the output template is
multiplied by s (with ``residual``: theta = theta_1 + s * conv(h)), and the meta-training's anchor term is measured in
the same units, ||theta - theta_1||^2 / s^2.  Without it the network's inputs and outputs are in the head's own units:
SiamFC's templates are O(1), CFNet's correlation filters ~1e-4 RMS, below the output noise of an untrained network, so
on CFNet training would not start from "no update" and lambda would weigh a negligible anchor term.

Tracking keeps only the hidden state (memory does not grow with the sequence); the template used for detection is
replaced every ``interval`` frames (M) while the hidden state advances every frame.  The target feature of frame t
is the window of that frame's search features at the predicted peak, exactly as in meta-training, and the candidate
is its projection by the head the tracker attaches (:meth:`Updater.attach`): for SiamFC ``g`` is the identity and the
window is m x m; for CFNet the candidate is the correlation filter solved from the window (a window ``2 * margin``
cells wider than the filter, centred on the same place), so the network's inputs and outputs are filters.  An updater
used without a head takes the window itself.
"""
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.updaters.network import load_updater_net
from tf_lu.updaters.base import FrameEvidence, Updater


def window_at(features, starts, size):
    """The ``size`` x ``size`` windows of ``features`` (B, S, S, C) starting at integer ``starts`` (B, 2) = (row, col),
    clipped to the map.  Differentiable in ``features``; the positions carry no gradient."""
    s = tf.shape(features)[1]
    starts = tf.clip_by_value(tf.cast(starts, tf.int32), 0, s - size)
    starts = tf.cast(tf.stop_gradient(starts), tf.float32)
    denom = tf.cast(s - 1, tf.float32)
    boxes = tf.concat([starts, starts + (size - 1)], axis=1) / denom   # [row1, col1, row2, col2]
    return tf.image.crop_and_resize(features, boxes, tf.range(tf.shape(features)[0]), [size, size])


def windows_at(pyramid, scales, starts, size):
    """Per stream b: ``pyramid[b, scales[b], r:r + size, c:c + size]`` with ``(r, c) = starts[b]`` (exact copies).

    ``pyramid`` (B, K, S, S, C), ``scales`` (B,) and ``starts`` (B, 2) integers -> (B, size, size, C)."""
    chosen = tf.gather(pyramid, scales, batch_dims=1)
    offsets = tf.range(size)
    rows = tf.gather(chosen, starts[:, :1] + offsets[None], axis=1, batch_dims=1)
    return tf.gather(rows, starts[:, 1:] + offsets[None], axis=2, batch_dims=1)


class LearnedUpdater(Updater):
    """Tracking-time wrapper of a trained :class:`UpdaterNet` (config ``updater.kind: learned``).

    Its state (graph form, a leading stream axis on every entry): ``rnn_<i>`` the recurrent layers' state tensors in
    order, ``theta_1`` the first template, ``theta`` the last template the network made, ``step`` the frames taken in.
    ``init`` runs the network once on theta_1 (that output is ``theta`` until the first replacement) while the first
    frame is searched with theta_1 itself.
    """

    graph_form = True
    uses_candidate = False    # its candidate is the window of the search features at the peak
    deferred = True           # graph_inputs of frame t are kept; graph_advance runs beside frame t+1's features
    compiled_step = True      # two ConvGRU layers' many small operations, made one XLA program by the tracker

    def __init__(self, config, net=None):
        """``config``: the section ``updater.learned`` (:class:`tf_lu.config.LearnedConfig`); ``net``: an already
        built :class:`UpdaterNet` (default: loaded from ``config.weights`` on first use)."""
        self.interval = max(1, int(config.interval))
        self.config = config
        self.net = net
        self._structure = None
        self._update_fn = None

    def prepare(self, theta):
        if self.net is None:
            if not self.config.weights:
                raise TfLuError("the learned updater config names no weights (key 'updater.learned.weights')")
            self.net = load_updater_net(self.config.weights, self.config,
                                        channels=int(theta.shape[-1]), size=int(theta.shape[1]))
        self._structure = tf.nest.map_structure(lambda _: 0, self.net.zero_states(1, 1))

    def graph_init(self, theta):
        size = int(theta.shape[1])
        theta_new, states = self.net(theta, self.net.zero_states(tf.shape(theta)[0], size), theta, training=False)
        state = {f"rnn_{i}": s for i, s in enumerate(tf.nest.flatten(states))}
        state.update(theta_1=theta, theta=theta_new, step=tf.zeros(tf.shape(theta)[:1], tf.int32))
        return state

    def window(self, pyramid, scale, peak, template_side):
        """The target feature of every stream: the window of scale ``scale`` (B,) centred where a template of side
        ``template_side`` placed at the rounded ``peak`` (B, 2) sits (clipped to the map); with a head, as wide as the
        head's ``g`` needs for a template of that side."""
        side = self._window_side(template_side)
        peak = tf.convert_to_tensor(peak)
        dtype = peak.dtype if peak.dtype.is_floating else tf.float64     # float32 where float64 is missing (TFLite)
        limit = tf.cast(tf.shape(pyramid)[2] - side, dtype)
        rounded = tf.round(tf.cast(peak, dtype)) - float((side - template_side) // 2)
        starts = tf.cast(tf.clip_by_value(rounded, 0.0, limit), tf.int32)
        return windows_at(pyramid, tf.cast(scale, tf.int32), starts, side)

    def _window_side(self, template_side):
        return template_side if self.head is None else self.head.feature_side(template_side)

    def candidate(self, pyramid, scale, peak, template_side):
        """g of the target feature of every stream (:meth:`window`)."""
        return self._project(self.window(pyramid, scale, peak, template_side))

    def _project(self, window):
        """The head's ``g`` of a window (no head: the window itself)."""
        return window if self.head is None else self.head.g(window)

    def graph_inputs(self, evidence, template_side):
        """What the step needs of this frame: the target feature's window and the tracker's confidence (B,)."""
        return {"window": self.window(evidence.search_pyramid(), evidence.scale, evidence.peak, template_side),
                "confidence": tf.cast(tf.reshape(evidence.confidence, [-1]), tf.float32)}

    def pending_zeros(self, theta):
        """:meth:`graph_inputs` of no frame: zeros with theta's stream axis."""
        side, streams = self._window_side(int(theta.shape[1])), tf.shape(theta)[0]
        return {"window": tf.zeros(tf.stack([streams, side, side, int(theta.shape[3])]), tf.float32),
                "confidence": tf.zeros(tf.reshape(streams, [1]), tf.float32)}

    def graph_advance(self, state, template, inputs):
        """One network step on the candidate g(window) of :meth:`graph_inputs`, and the template for the next frame:
        the network's output every M-th step, else the previous one."""
        theta_1 = state["theta_1"]
        candidate = self._project(inputs["window"])
        flat = [state[f"rnn_{i}"] for i in range(len(tf.nest.flatten(self._structure)))]
        states = tf.nest.pack_sequence_as(self._structure, flat)
        theta_new, states = self.net(candidate, states, theta_1, training=False, confidence=inputs["confidence"])
        step = state["step"] + 1
        theta = tf.where(tf.equal(step % self.interval, 0)[:, None, None, None], theta_new, state["theta"])
        new_state = {f"rnn_{i}": s for i, s in enumerate(tf.nest.flatten(states))}
        new_state.update(theta_1=theta_1, theta=theta, step=step)
        return new_state, theta

    def graph_step(self, state, template, evidence):
        """The candidate g(window) of the chosen scale at the rounded peak, one network step, and the template for the
        next frame (:meth:`graph_inputs` then :meth:`graph_advance`)."""
        return self.graph_advance(state, template, self.graph_inputs(evidence, int(state["theta_1"].shape[1])))

    # --- the eager form: one stream, the graph form with a stream axis of 1 ------------------------------------------
    def init(self, theta):
        theta = tf.convert_to_tensor(theta, tf.float32)
        self.prepare(theta)
        return self.graph_init(theta)

    def update(self, state, evidence):
        if evidence.search_pyramid is not None:
            pyramid, scale = evidence.search_pyramid(), evidence.scale
        else:
            pyramid, scale = evidence.search_features(), 0
        if self._update_fn is None:
            self._update_fn = tf.function(self._eager_step, reduce_retracing=True)
        return self._update_fn(state, tf.convert_to_tensor(pyramid, tf.float32)[None], tf.constant([scale]),
                               tf.constant([evidence.peak], tf.float64), tf.constant([evidence.confidence], tf.float32))

    def _eager_step(self, state, pyramid, scale, peak, confidence):
        evidence = FrameEvidence(candidate=None, search_features=None, peak=peak, confidence=confidence,
                                 search_pyramid=lambda: pyramid, scale=scale)
        return self.graph_step(state, state["theta"], evidence)
