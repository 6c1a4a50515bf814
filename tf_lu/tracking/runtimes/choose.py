"""A tracker config's ``runtime`` and ``precision`` -> the feature extractor its step calls.

The tracking step (:class:`tf_lu.tracking.step.TrackingStep`) calls ``backbone(images, training=False)`` inside its
one TensorFlow graph and asks ``backbone.compute_output_shape``; every runtime gives an object with those two, so the
rest of the step (crops, correlation, upsampling, peak, box, updater) is the same graph on every runtime:

* ``keras`` (float32): the Keras model itself; ``bfloat16``: the model as plain TensorFlow operations with batch
  norm folded into the convolutions, computed in bfloat16 (:mod:`.folded`);
* ``xla``: the same, compiled by XLA once per input shape at float32 (:mod:`.xla`); at bfloat16 oneDNN's kernels
  run it faster than XLA's, so ``xla`` at bfloat16 is ``keras`` at bfloat16.  (The step around the extractor stays
  TensorFlow on every runtime: XLA's CPU kernels ran its correlation, upsampling and peak about 4x slower; the
  learned updater's step is compiled by XLA on every runtime, :class:`tf_lu.tracking.step.TrackingStep`);
* ``tflite``: the model converted to LiteRT (TFLite) at ``precision`` float32, float16 (weights), dynamic (int8
  weights, activations quantized on the fly) or int8 (calibrated), run by the LiteRT interpreter with its default
  XNNPACK delegate from inside the graph (:mod:`.tflite`).

Below float32, only the search crops take the faster path: the template is made from the exemplar crop by the float32
Keras model (:func:`exemplar_runner`).  Without an update that is once per sequence, so it costs nothing per frame,
and the template, which every later frame is scored with, carries no rounding of its own.
"""
from tf_lu.errors import TfLuError


def backbone_runner(backbone, config):
    """What the step calls in place of ``backbone`` for ``config.runtime`` at ``config.precision``."""
    runtime, precision = config.runtime, config.precision
    if runtime == "tflite":
        from tf_lu.tracking.runtimes.tflite import TFLiteBackbone
        from tf_lu.tracking.runtimes.calibration import calibration_batches
        batches = (lambda: calibration_batches(config)) if precision == "int8" else None
        return TFLiteBackbone(backbone, precision, batches)
    if runtime not in ("keras", "xla"):
        raise TfLuError(f"unknown runtime {runtime!r}; known: keras, xla, tflite")
    runner = backbone
    if precision == "bfloat16":
        from tf_lu.tracking.runtimes.folded import FoldedBackbone
        runner = FoldedBackbone(backbone, "bfloat16")
    if runtime == "xla" and precision == "float32":
        from tf_lu.tracking.runtimes.xla import XlaBackbone
        runner = XlaBackbone(runner)
    return runner


def exemplar_runner(backbone, config):
    """What the step calls on exemplar crops: the float32 Keras model below float32, else the search crops' runner
    (None: the same object)."""
    return backbone if config.precision != "float32" else None
