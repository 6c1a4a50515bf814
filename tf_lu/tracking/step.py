"""The whole tracking step as one TensorFlow computation over tensors, for B independent streams at once.

``state = step.init(frames, sizes, boxes)`` then ``out = step.step(frames, sizes, state)`` per later frame, with
``out["box"]`` (B, 4) 0-based ``(x, y, w, h)``, ``out["score"]`` (B,) and ``out["state"]`` the next state.  Frames are
``uint8`` (B, H, W, 3), stream b's image being ``frames[b, :sizes[b, 0], :sizes[b, 1]]`` (frames of different sizes
are padded to a common one; the padding is never read).  The state is a flat dict of tensors, each with the stream
axis first: ``center_box`` (B, 4) float64 ``(cx, cy, w, h)``, ``sides`` (B, 2) float64 (exemplar and search window
sides), ``template`` (B, h, w, C) the model that locates the target in the next frame, and ``updater_<name>`` the
updater's own state (:mod:`tf_lu.updaters.base`, graph form).  With a deferred updater (the learned one) the state
also keeps ``pending_<name>``, what frame t gave the updater, and ``pending`` (B,) bool, whether there is any:
``template`` is then the model that located the target in frame t, and frame t+1's step first advances the updater
with them (:meth:`TrackingStep.next_template` gives that model without a frame).

Per frame: crop the scale pyramid around the last centre with mean padding, extract features, score them with the
template, upsample bicubically, penalise scale change, blend in the cosine window, move to the peak, damp the scale
change, clip the box to the image, then advance the updater (a deferred updater: keep its inputs and advance it at
the start of the next frame, beside that frame's crops and features, which do not depend on it).  Box
geometry and the response post-processing run in float64, as NumPy did on the host, so the boxes equal those of the
NumPy formulation.  An updater without a graph form (SGD) is replaced by "no update" in the graph and the step also
returns ``out["evidence"]`` for the host.
"""
import numpy as np
import tensorflow as tf
import tensorflow.experimental.numpy as tnp

from tf_lu.geometry.crops import crop_tf, scale_factors
from tf_lu.models.response import blend_window, hann_window, scale_penalties
from tf_lu.updaters.base import FrameEvidence, NoUpdate

UPDATER_PREFIX = "updater_"
PENDING_PREFIX = "pending_"
PENDING_FLAG = "pending"
FRAMES_SPEC = tf.TensorSpec([None, None, None, 3], tf.uint8, name="frames")
SIZES_SPEC = tf.TensorSpec([None, 2], tf.int32, name="sizes")
BOXES_SPEC = tf.TensorSpec([None, 4], tf.float64, name="boxes")


def crop_streams(frames, sizes, centers, sides, out_size):
    """Per stream b: :func:`crop_tf` of ``frames[b]`` cut to ``sizes[b]`` (height, width), centred on ``centers[b]``
    (cx, cy) with the K window sides ``sides[b]``.  Returns (B * K, out_size, out_size, 3) float32, stream-major."""
    count = sides.shape[1]

    def one(args):
        frame, size, center, side = args
        return crop_tf(frame[:size[0], :size[1]], center, side, out_size)

    def each():
        crops = tf.map_fn(one, (frames, sizes, centers, sides),
                          fn_output_signature=tf.TensorSpec([count, out_size, out_size, 3], tf.float32))
        return tf.reshape(crops, [-1, out_size, out_size, 3])

    # one stream (the tracker): its frame is not padded, and no loop is needed
    alone = lambda: crop_tf(frames[0], centers[0], sides[0], out_size)
    if frames.shape[0] is not None:
        return alone() if frames.shape[0] == 1 else each()
    return tf.cond(tf.equal(tf.shape(frames)[0], 1), alone, each)


def clip_center_boxes(center_boxes, sizes, min_size):
    """:func:`tf_lu.geometry.boxes.clip_center_box` per stream: ``(clipped (B, 4), finite (B,))``; where a proposal is
    not finite the caller keeps the last box."""
    height, width = tf.cast(sizes[:, 0], tf.float64), tf.cast(sizes[:, 1], tf.float64)
    clip = lambda value, low, high: tf.minimum(tf.maximum(value, low), high)
    clipped = tf.stack([clip(center_boxes[:, 0], 0.0, width - 1), clip(center_boxes[:, 1], 0.0, height - 1),
                        clip(center_boxes[:, 2], min_size, tf.maximum(width, min_size)),
                        clip(center_boxes[:, 3], min_size, tf.maximum(height, min_size))], axis=1)
    return clipped, tf.reduce_all(tf.math.is_finite(center_boxes), axis=1)


def corner_boxes(center_boxes):
    """(B, 4) ``(cx, cy, w, h)`` -> ``(x, y, w, h)``."""
    return tf.concat([center_boxes[:, :2] - (center_boxes[:, 2:] - 1) / 2.0, center_boxes[:, 2:]], axis=1)


class TrackingStep:
    """The graph of one tracker (backbone, head, updater, :class:`tf_lu.config.TrackConfig`) over B streams;
    ``exemplar_backbone``, where given, makes the templates from exemplar crops in place of ``backbone``."""

    def __init__(self, backbone, head, updater, track_config, exemplar_backbone=None):
        self.backbone, self.head, self.cfg = backbone, head, track_config
        self.exemplar_backbone = backbone if exemplar_backbone is None else exemplar_backbone
        self.updater = updater if updater.graph_form else NoUpdate()
        self.host_updater = None if updater.graph_form else updater
        cfg = track_config
        self.scales = scale_factors(cfg.scale_num, cfg.scale_step)
        self.penalties = scale_penalties(self.scales, cfg.scale_penalty)
        z = backbone.compute_output_shape((1, cfg.exemplar_size, cfg.exemplar_size, 3))[1]
        x = backbone.compute_output_shape((1, cfg.instance_size, cfg.instance_size, 3))[1]
        self.response_size = x - z + 1
        self.upscale = self.response_size * cfg.response_up
        self.window = hann_window(self.upscale)
        # an updater network's step is many small operations: XLA makes them one program (where it needs no crop)
        self._update_fn = self._update
        if self.updater.compiled_step and not self.updater.uses_candidate:
            self._update_fn = tf.function(self._update, jit_compile=True)
        self.deferred = bool(self.updater.deferred)
        self._advance_fn = tf.function(self._advance, jit_compile=self.updater.compiled_step)
        theta = head.g(backbone(np.zeros((1, cfg.exemplar_size, cfg.exemplar_size, 3), np.float32), training=False))
        updater.prepare(theta)
        probe = self._first_state(tf.zeros([1, 4], tf.float64), tf.zeros([1, 2], tf.float64), theta)
        self.state_spec = {key: tf.TensorSpec([None] + list(value.shape[1:]), value.dtype, name=key)
                           for key, value in probe.items()}
        self.init = tf.function(self._init, input_signature=[FRAMES_SPEC, SIZES_SPEC, BOXES_SPEC])
        self.step = tf.function(self._step, input_signature=[FRAMES_SPEC, SIZES_SPEC, self.state_spec])
        self.templates = tf.function(self._templates, input_signature=[
            FRAMES_SPEC, SIZES_SPEC, tf.TensorSpec([None, 4], tf.float64), tf.TensorSpec([None], tf.float64)])
        self.next_template = tf.function(lambda state: self._caught_up(state)["template"],
                                         input_signature=[self.state_spec])

    # --- first frame ----------------------------------------------------------------------------------------------
    def _templates(self, frames, sizes, center_boxes, z_sides):
        """g of the exemplar features at each stream's centre with its exemplar side: (B, h, w, C)."""
        crops = crop_streams(frames, sizes, tf.cast(center_boxes[:, :2], tf.float32),
                             tf.cast(z_sides, tf.float32)[:, None], self.cfg.exemplar_size)
        return self.head.g(self.exemplar_backbone(crops, training=False))

    def _geometry(self, boxes):
        """``center_box`` (B, 4) and ``sides`` (B, 2): the exemplar side with its context margin, the search side."""
        cfg = self.cfg
        center_boxes = tf.concat([boxes[:, :2] + (boxes[:, 2:] - 1) / 2.0, boxes[:, 2:]], axis=1)
        width, height = center_boxes[:, 2], center_boxes[:, 3]
        margin = cfg.context * (width + height)
        z_side = tf.sqrt((width + margin) * (height + margin))
        return center_boxes, tf.stack([z_side, z_side * cfg.instance_size / cfg.exemplar_size], axis=1)

    def _first_state(self, center_boxes, sides, theta):
        state = {"center_box": center_boxes, "sides": sides, "template": theta}
        state.update({UPDATER_PREFIX + key: value for key, value in self.updater.graph_init(theta).items()})
        if self.deferred:
            state.update({PENDING_PREFIX + key: value for key, value in self.updater.pending_zeros(theta).items()})
            state[PENDING_FLAG] = tf.zeros(tf.shape(theta)[:1], tf.bool)
        return state

    def _init(self, frames, sizes, boxes):
        center_boxes, sides = self._geometry(boxes)
        return self._first_state(center_boxes, sides, self._templates(frames, sizes, center_boxes, sides[:, 0]))

    # --- later frames ---------------------------------------------------------------------------------------------
    def _crops(self, frames, sizes, state):
        """Every stream's search pyramid: (B * K, s, s, 3) float32, stream-major."""
        sides = tf.cast(state["sides"][:, 1:] * self.scales[None, :], tf.float32)
        return crop_streams(frames, sizes, tf.cast(state["center_box"][:, :2], tf.float32), sides,
                            self.cfg.instance_size)

    def _upsample(self, raw):
        """(N, r, r, 1) float32 responses -> (N, U, U) float32, bicubic."""
        return tf.image.resize(raw, [self.upscale, self.upscale], method="bicubic")[..., 0]

    def _responses(self, features, template):
        """Raw responses (B, K, r, r) and their bicubic upsampling (B, K, U, U), float32, of the pyramid's features
        (B * K, S, S, C) scored with the streams' templates (B, h, w, C)."""
        count, streams = len(self.scales), tf.shape(template)[0]
        shared = lambda: self.head.respond(template[:1], features)      # one template: one plain convolution
        each = lambda: self.head.respond(tf.repeat(template, count, axis=0), features)
        if template.shape[0] is not None:
            raw = shared() if template.shape[0] == 1 else each()
        else:
            raw = tf.cond(tf.equal(streams, 1), shared, each)
        upsampled = tf.reshape(self._upsample(raw), [streams, count, self.upscale, self.upscale])
        return tf.reshape(raw, [streams, count, self.response_size, self.response_size]), upsampled

    def _pyramid(self, features, streams):
        """(B * K, S, S, C) -> (B, K, S, S, C)."""
        return tf.reshape(features, tf.concat([[streams, len(self.scales)], tf.shape(features)[1:]], axis=0))

    def _search(self, frames, sizes, state):
        """Every stream's pyramid: features (B, K, S, S, C), raw responses (B, K, r, r) float32 and the upsampled,
        scale-penalised responses (B, K, U, U) float64."""
        features = self.backbone(self._crops(frames, sizes, state), training=False)
        raw, upsampled = self._responses(features, state["template"])
        return self._pyramid(features, tf.shape(frames)[0]), raw, tf.cast(upsampled, tf.float64) * self.penalties

    def _peak(self, upsampled, dtype=tf.float64):
        """The best scale (B,) and the (row, col) (B, 2) of the windowed peak on its upsampled response (B, K, U, U),
        scale-penalised and windowed in ``dtype``.  Penalising is a positive factor per scale, so each scale's
        penalised maximum is its maximum penalised, and only the best scale's map is converted and windowed."""
        penalties = tf.constant(self.penalties[:, 0, 0], dtype)
        tops = tf.cast(tf.reduce_max(upsampled, axis=[2, 3]), dtype) * penalties
        best = tf.argmax(tops, axis=1, output_type=tf.int32)
        chosen = tf.cast(tf.gather(upsampled, best, batch_dims=1), dtype) * tf.gather(penalties, best)[:, None, None]
        blended = blend_window(chosen, tf.constant(self.window, dtype), self.cfg.window_influence, xp=tnp)
        index = tf.argmax(tf.reshape(blended, [tf.shape(blended)[0], -1]), axis=1, output_type=tf.int32)
        return best, tf.stack([index // self.upscale, index % self.upscale], axis=1)

    def _move(self, state, sizes, best, peak):
        """The next ``center_box`` and ``sides``: displacement to the peak, damped scale change, clipped box."""
        cfg, center_boxes, sides = self.cfg, state["center_box"], state["sides"]
        scale = tf.gather(tf.constant(self.scales), best)
        factor = cfg.total_stride / cfg.response_up * sides[:, 1] * scale / cfg.instance_size
        displacement = (tf.cast(peak[:, ::-1], tf.float64) - (self.upscale - 1) / 2.0) * factor[:, None]
        damped = (1 - cfg.scale_lr) + cfg.scale_lr * scale
        proposal = tf.concat([center_boxes[:, :2] + displacement, center_boxes[:, 2:] * damped[:, None]], axis=1)
        clipped, finite = clip_center_boxes(proposal, sizes, cfg.min_size)
        ratio = tf.sqrt(clipped[:, 2] * clipped[:, 3] / tf.maximum(center_boxes[:, 2] * center_boxes[:, 3], 1e-9))
        return (tf.where(finite[:, None], clipped, center_boxes),
                tf.where(finite[:, None], sides * ratio[:, None], sides))

    def _locate(self, features, sizes, state):
        """From the pyramid's features (B * K, S, S, C) to the next ``center_box`` and ``sides`` and the evidence
        (``pyramid``, best ``scale``, ``peak`` on the raw response grid, ``confidence``); with the updater's step
        (``template``, ``updater``) where it needs no new crop."""
        raw, upsampled = self._responses(features, state["template"])
        best, peak = self._peak(upsampled)
        center_boxes, sides = self._move(state, sizes, best, peak)
        # the peak on the raw response grid (before upsampling), where search-feature windows are taken
        raw_peak = ((tf.cast(peak, tf.float64) - (self.upscale - 1) / 2.0) / self.cfg.response_up
                    + (self.response_size - 1) / 2.0)
        top = tf.reduce_max(tf.gather(raw, best, batch_dims=1), axis=[1, 2])
        found = {"center_box": center_boxes, "sides": sides, "pyramid": self._pyramid(features, tf.shape(sizes)[0]),
                 "scale": best, "peak": raw_peak, "confidence": 1.0 / (1.0 + tf.exp(-top))}
        if self.deferred:
            found["template"], found["updater"] = state["template"], _updater_state(state)
            found["pending"] = self.updater.graph_inputs(_evidence(found, None), int(state["template"].shape[1]))
        elif not self.updater.uses_candidate:
            found["template"], found["updater"] = self._update_fn(state, found, None)
        return found

    def _update(self, state, found, candidate):
        """The updater's graph step on this frame's evidence: ``(template, updater state)``."""
        updater_state, template = self.updater.graph_step(_updater_state(state), state["template"],
                                                          _evidence(found, candidate))
        return template, updater_state

    def _advance(self, kept):
        """A deferred updater's step on the inputs the last frame kept, per stream where it kept any: ``kept`` holds
        the state's ``template``, ``updater_*``, ``pending_*`` and ``pending``; returns the first two advanced."""
        inputs = {key[len(PENDING_PREFIX):]: value for key, value in kept.items() if key.startswith(PENDING_PREFIX)}
        updater_state = _updater_state(kept)
        advanced, template = self.updater.graph_advance(updater_state, kept["template"], inputs)
        flag = kept[PENDING_FLAG]
        pick = lambda new, old: tf.where(tf.reshape(flag, [-1] + [1] * (len(new.shape) - 1)), new, old)  # noqa: E731
        out = {"template": pick(template, kept["template"])}
        out.update({UPDATER_PREFIX + key: pick(value, updater_state[key]) for key, value in advanced.items()})
        return out

    def _caught_up(self, state):
        """``state`` with a deferred updater's pending step taken (nothing left pending); else ``state`` itself.  Only
        the updater's entries go through the step, so what reads the geometry never waits for it."""
        if not self.deferred:
            return state
        return {**state, **self._advance_fn(updater_entries(state)), PENDING_FLAG: tf.zeros_like(state[PENDING_FLAG])}

    def _step(self, frames, sizes, state):
        state = self._caught_up(state)     # the last frame's deferred update: only the response waits for it
        features = self.backbone(self._crops(frames, sizes, state), training=False)
        found = self._locate(features, sizes, state)
        if "template" not in found:
            found["template"], found["updater"] = self._update(
                state, found, lambda: self._templates(frames, sizes, found["center_box"], found["sides"][:, 0]))
        next_state = {"center_box": found["center_box"], "sides": found["sides"], "template": found["template"]}
        next_state.update({UPDATER_PREFIX + key: value for key, value in found["updater"].items()})
        if self.deferred:
            next_state.update({PENDING_PREFIX + key: value for key, value in found["pending"].items()})
            next_state[PENDING_FLAG] = tf.ones_like(state[PENDING_FLAG])
        out = {"box": corner_boxes(found["center_box"]), "score": found["confidence"], "state": next_state}
        if self.host_updater is not None:
            out["evidence"] = {key: found[key] for key in ("pyramid", "scale", "peak", "confidence")}
        return out


def updater_entries(state):
    """What a deferred updater's step reads of a step state: every entry but the geometry (``center_box``, ``sides``),
    so nothing that reads the geometry waits for the step."""
    return {key: value for key, value in state.items() if key not in ("center_box", "sides")}


def _updater_state(state):
    """The updater's entries of a step state, without their prefix."""
    return {key[len(UPDATER_PREFIX):]: value for key, value in state.items() if key.startswith(UPDATER_PREFIX)}


def _evidence(found, candidate):
    """The :class:`FrameEvidence` of what :meth:`TrackingStep._locate` found (``candidate``: a lazy new template)."""
    return FrameEvidence(
        candidate=candidate, search_features=lambda: tf.gather(found["pyramid"], found["scale"], batch_dims=1),
        peak=found["peak"], confidence=found["confidence"], search_pyramid=lambda: found["pyramid"],
        scale=found["scale"])
