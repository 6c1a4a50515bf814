"""A tracker's graph (:class:`tf_lu.tracking.step.TrackingStep`) as a SavedModel with flat signatures.

Signatures (every input and output a named tensor, so ``saved_model_cli`` and any TensorFlow runtime can call them):

* ``init(frame, box) -> state``: ``frame`` (H, W, 3) ``uint8`` of any size, ``box`` (4,) float64 0-based
  ``(x, y, w, h)``; the state is a flat dict of tensors (``center_box``, ``sides``, ``template``, ``updater_*``);
* ``step(frame, **state) -> box, score, **state`` (also ``serving_default``): ``box`` (4,) float64, ``score`` the
  sigmoid of the response peak, and the next state under the same names as its inputs;
* ``init_batch(frames, sizes, boxes)`` / ``step_batch(frames, sizes, **state)``: B streams in one call, frames padded
  to a common (H, W), ``sizes`` (B, 2) each stream's true (height, width), every state tensor with the stream axis.
"""
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.tracking.step import FRAMES_SPEC, SIZES_SPEC

FRAME_SPEC = tf.TensorSpec([None, None, 3], tf.uint8, name="frame")
BOX_SPEC = tf.TensorSpec([4], tf.float64, name="box")


def _trackables(tracker):
    """The Keras models and layers whose variables the graph reads (backbone, head's layers, updater network)."""
    found = {"backbone": tracker.backbone}
    for name, value in vars(tracker.head).items():
        if hasattr(value, "trainable_variables"):
            found[f"head_{name}"] = value
    net = getattr(tracker.updater, "net", None)
    if net is not None:
        found["updater_net"] = net
    return found


class TrackerModule(tf.Module):
    """A :class:`tf_lu.tracking.tracker.Tracker`'s step and init as ``tf.function`` s with flat named tensors."""

    def __init__(self, tracker):
        super().__init__(name="tf_lu_tracker")
        if tracker.graph.host_updater is not None:
            raise TfLuError(f"tracker {tracker.name!r}: its {type(tracker.updater).__name__} update runs on the host "
                            "(an inner optimisation, not a fixed graph), so it cannot be exported; export a tracker "
                            "with update none, ema or learned")
        self.graph = tracker.graph
        # the TensorFlow variables only: a Keras model (or Keras variable wrapper) as a child would add its own call
        # signatures and a second handle per variable, which TF1-style loaders (saved_model_cli run) do not restore
        self.weights = {name: [weight.value for weight in value.weights]
                        for name, value in _trackables(tracker).items()}
        self.state_names = sorted(self.graph.state_spec)

    def _init_one(self, frame, box):
        state = self.graph._init(frame[None], tf.shape(frame)[None, :2], box[None])
        return {key: value[0] for key, value in state.items()}

    def _step_one(self, frame, **state):
        out = self.graph._step(frame[None], tf.shape(frame)[None, :2], {k: v[None] for k, v in state.items()})
        result = {"box": out["box"][0], "score": out["score"][0]}
        result.update({key: value[0] for key, value in out["state"].items()})
        return result

    def _init_batch(self, frames, sizes, boxes):
        return self.graph._init(frames, sizes, boxes)

    def _step_batch(self, frames, sizes, **state):
        out = self.graph._step(frames, sizes, state)
        return {"box": out["box"], "score": out["score"], **out["state"]}

    def signatures(self):
        """``{name: concrete function}`` of the four signatures (``serving_default`` is ``step``)."""
        spec = self.graph.state_spec
        one = {k: tf.TensorSpec(s.shape[1:], s.dtype, name=k) for k, s in spec.items()}
        batch = {k: tf.TensorSpec(s.shape, s.dtype, name=k) for k, s in spec.items()}
        step = tf.function(self._step_one).get_concrete_function(frame=FRAME_SPEC, **one)
        return {
            "init": tf.function(self._init_one).get_concrete_function(frame=FRAME_SPEC, box=BOX_SPEC),
            "step": step,
            "serving_default": step,
            "init_batch": tf.function(self._init_batch).get_concrete_function(
                frames=FRAMES_SPEC, sizes=SIZES_SPEC, boxes=tf.TensorSpec([None, 4], tf.float64, name="boxes")),
            "step_batch": tf.function(self._step_batch).get_concrete_function(
                frames=FRAMES_SPEC, sizes=SIZES_SPEC, **batch),
        }


def save_tracker(tracker, out_dir):
    """Write ``tracker``'s SavedModel into ``out_dir``; returns ``{signature: {"inputs", "outputs"}}`` as text."""
    module = TrackerModule(tracker)
    signatures = module.signatures()
    tf.saved_model.save(module, out_dir, signatures=signatures)
    return {name: describe(function) for name, function in signatures.items()}


def describe(function):
    """``{"inputs": {name: "dtype shape"}, "outputs": {...}}`` of a concrete function."""
    text = lambda spec: f"{spec.dtype.name} {spec.shape.as_list()}".replace("None", "-1")
    inputs = {spec.name: spec for spec in tf.nest.flatten(function.structured_input_signature)}
    outputs = function.structured_outputs
    return {"inputs": {k: text(v) for k, v in sorted(inputs.items())},
            "outputs": {k: text(tf.TensorSpec.from_tensor(v)) for k, v in sorted(outputs.items())}}
