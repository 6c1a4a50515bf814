"""The float32 part of a tracker's step that follows the feature extractor, as two TFLite models.

* ``start.tflite`` (exemplar): the exemplar features (1, m, m, C) -> the first state: ``template`` (g of the features) and
  the updater's state tensors (``updater_<name>``);
* ``locate.tflite`` (features, **state): the search pyramid's features (K, S, S, C) and the state -> ``scale`` (the best
  scale's index), ``peak`` (row, col) on the upsampled response, ``score`` (sigmoid of the response peak) and the
  state entries this frame changes, under their own names (the others stay as they were: all of them without an
  update).

This is :class:`tf_lu.tracking.step.TrackingStep`'s own correlation, scale penalties, cosine window, peak and updater
step, for one stream, in float32; the bicubic upsampling is the same resize as a matrix product
(:mod:`tf_lu.models.upsampling`, TFLite has no bicubic resize).  What stays on the host (crops, the box's move) is in
:mod:`tf_lu.export.litert_host`.  Updaters that need a new crop after the move (EMA) or run on the host (SGD) have no
such form: a :class:`TfLuError`.
"""
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.models.upsampling import bicubic_matrix, upsample
from tf_lu.tracking.runtimes.tflite import frozen_converter
from tf_lu.tracking.step import PENDING_FLAG, PENDING_PREFIX, UPDATER_PREFIX
from tf_lu.updaters.base import EMAUpdater, FrameEvidence

UPDATES = ("none", "learned")


class HeadModule(tf.Module):
    """``start`` and ``locate`` of ``tracker`` (a :class:`tf_lu.tracking.tracker.Tracker`) as concrete functions."""

    def __init__(self, tracker, kind):
        super().__init__(name="tf_lu_head")
        if kind not in UPDATES or tracker.graph.host_updater is not None or isinstance(tracker.updater, EMAUpdater):
            raise TfLuError(f"tracker {tracker.name!r}: the TFLite export covers the updates {', '.join(UPDATES)}; "
                            f"its {kind!r} update needs the frame again after the move (export it as a SavedModel)")
        self.graph = tracker.graph
        self.matrix = bicubic_matrix(self.graph.response_size, self.graph.upscale)
        template = self.graph.state_spec["template"]
        self.template_shape = [1] + template.shape.as_list()[1:]

    def start(self, exemplar):
        state = self.graph._first_state(tf.zeros([1, 4], tf.float64), tf.zeros([1, 2], tf.float64),
                                        self.graph.head.g(exemplar))
        return {key: value for key, value in state.items() if _carried(key)}

    def locate(self, features, **state):
        graph, count = self.graph, len(self.graph.scales)
        raw = graph.head.respond(tf.repeat(state["template"], count, axis=0), features)[..., 0]
        best, peak = graph._peak(upsample(raw, self.matrix)[None], tf.float32)
        raw_peak = ((tf.cast(peak, tf.float32) - (graph.upscale - 1) / 2.0) / graph.cfg.response_up
                    + (graph.response_size - 1) / 2.0)
        score = tf.sigmoid(tf.reduce_max(tf.gather(raw, best), axis=[1, 2]))
        evidence = FrameEvidence(candidate=None, search_features=None, peak=raw_peak, confidence=score,
                                 search_pyramid=lambda: features[None], scale=best)
        updater_state = {key[len(UPDATER_PREFIX):]: value for key, value in state.items()
                         if key.startswith(UPDATER_PREFIX)}
        updater_state, template = graph.updater.graph_step(updater_state, state["template"], evidence)
        changed = {"template": template, **{UPDATER_PREFIX + key: value for key, value in updater_state.items()}}
        out = {"scale": best[0], "peak": peak[0], "score": score[0]}
        out.update({key: value for key, value in changed.items() if value is not state.get(key)})
        return out

    def state_specs(self):
        """``{name: TensorSpec}`` of the state (stream axis 1) without the host's geometry."""
        return {key: tf.TensorSpec([1] + spec.shape.as_list()[1:], spec.dtype, name=key)
                for key, spec in self.graph.state_spec.items() if _carried(key)}

    def concrete_functions(self, feature_shape):
        """``{"start": ..., "locate": ...}`` concrete functions; ``feature_shape``: the search features' (K, S, S, C)."""
        start = tf.function(self.start).get_concrete_function(
            tf.TensorSpec(self.template_shape, tf.float32, name="exemplar"))
        locate = tf.function(self.locate).get_concrete_function(
            tf.TensorSpec(feature_shape, tf.float32, name="features"), **self.state_specs())
        return {"start": start, "locate": locate}


def convert_head(tracker, kind, feature_shape):
    """``{"start": bytes, "locate": bytes}``: the two float32 TFLite models of ``tracker`` whose update is ``kind``."""
    functions = HeadModule(tracker, kind).concrete_functions(feature_shape)
    return {name: frozen_converter(function).convert() for name, function in functions.items()}


def _carried(key):
    """Whether a step state's entry is part of the head's state: not the host's geometry, and not a deferred update's
    kept inputs (the head takes the update's step within ``locate``)."""
    return key not in ("center_box", "sides", PENDING_FLAG) and not key.startswith(PENDING_PREFIX)
