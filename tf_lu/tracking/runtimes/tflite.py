"""The feature extractor as a LiteRT (TFLite) model, run by the LiteRT interpreter from inside the step's graph.

:func:`convert_backbone` writes the Keras model (weights frozen into constants, any batch and image size) as a
TFLite flatbuffer at a precision: ``float32``; ``float16`` (weights stored in float16, computed in float32);
``dynamic`` (int8 weights, activations quantized per call); ``int8`` (weights and activations int8, activation ranges
calibrated on representative crops; float32 input and output).  :class:`TFLiteBackbone` runs it with the LiteRT
interpreter (``ai-edge-litert``, else TensorFlow's own ``tf.lite.Interpreter``), whose default CPU delegate is
XNNPACK, through ``tf.numpy_function``: one interpreter per input shape (the exemplar, the search pyramid).
"""
import os

import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError

PRECISIONS = ("float32", "float16", "dynamic", "int8")


def interpreter_class():
    """The LiteRT ``Interpreter`` class: ``ai_edge_litert``'s where installed, else ``tf.lite.Interpreter``."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        Interpreter = tf.lite.Interpreter
    return Interpreter


def frozen_converter(function):
    """A TFLite converter of the concrete ``function`` with its variables made constants, one signature
    (``serving_default``) whose inputs are named as the function's input specs and outputs as its dict's keys (or
    ``output_0``, ... for a tensor or a list)."""
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
    frozen = convert_variables_to_constants_v2(function)
    outputs = function.structured_outputs
    names = sorted(outputs) if isinstance(outputs, dict) else None
    specs = tf.nest.flatten(function.structured_input_signature)

    def named(*inputs):
        found = frozen(*inputs)
        return found if names is None else dict(zip(names, found))

    return tf.lite.TFLiteConverter.from_concrete_functions([tf.function(named).get_concrete_function(*specs)],
                                                           tf.Module())


def convert_backbone(model, precision="float32", batches=None):
    """The TFLite flatbuffer (bytes) of the Keras image model ``model`` (any batch and image size) at ``precision``;
    ``batches`` (int8 only) is a callable giving an iterable of float32 image batches to calibrate on."""
    if precision not in PRECISIONS:
        raise TfLuError(f"unknown TFLite precision {precision!r}; known: {', '.join(PRECISIONS)}")
    spec = tf.TensorSpec([None, None, None, 3], tf.float32, name="images")
    converter = frozen_converter(tf.function(lambda images: model(images, training=False)).get_concrete_function(spec))
    if precision != "float32":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    if precision == "float16":
        converter.target_spec.supported_types = [tf.float16]
    if precision == "int8":
        if batches is None:
            raise TfLuError("int8 quantization needs calibration images")
        converter.representative_dataset = lambda: ([np.asarray(batch, np.float32)] for batch in batches())
    return converter.convert()


class TFLiteModel:
    """A one-input, one-output TFLite model with one interpreter per input shape (resized once, then reused)."""

    def __init__(self, content, threads=None):
        self.content, self.threads = content, threads or os.cpu_count()
        self._interpreters = {}

    def _interpreter(self, shape):
        found = self._interpreters.get(shape)
        if found is None:
            found = interpreter_class()(model_content=self.content, num_threads=self.threads)
            found.resize_tensor_input(found.get_input_details()[0]["index"], list(shape))
            found.allocate_tensors()
            found = (found, found.get_input_details()[0]["index"], found.get_output_details()[0]["index"])
            self._interpreters[shape] = found
        return found

    def __call__(self, images):
        interpreter, source, target = self._interpreter(tuple(images.shape))
        interpreter.set_tensor(source, np.ascontiguousarray(images, np.float32))
        interpreter.invoke()
        return interpreter.get_tensor(target)


class TFLiteBackbone:
    """``backbone`` converted to TFLite, called from a TensorFlow graph; ``compute_output_shape`` is the model's."""

    def __init__(self, backbone, precision="float32", batches=None, threads=None):
        self.model, self.precision = backbone, precision
        self.content = convert_backbone(backbone, precision, batches)
        self.runner = TFLiteModel(self.content, threads)

    def __call__(self, images, training=False):
        features = tf.numpy_function(self.runner, [images], tf.float32, stateful=True, name="tflite_backbone")
        features.set_shape(self.compute_output_shape(tuple(images.shape)))
        return features

    def compute_output_shape(self, shape):
        return self.model.compute_output_shape(shape)
