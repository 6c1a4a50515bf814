"""The feature extractor compiled by XLA (``tf.function(jit_compile=True)``), once per input shape.

The crops stay outside XLA: they read frames of any size, and XLA would compile again for every new frame size,
inside the timed frames.  The rest of the step stays TensorFlow (see :mod:`tf_lu.tracking.runtimes.choose`).
"""
import tensorflow as tf


class XlaBackbone:
    """``backbone`` behind an XLA-compiled call; ``compute_output_shape`` is the model's."""

    def __init__(self, backbone):
        self.model = backbone
        self._call = tf.function(lambda images: backbone(images, training=False), jit_compile=True)

    def __call__(self, images, training=False):
        return tf.cast(self._call(images), tf.float32)

    def compute_output_shape(self, shape):
        return self.model.compute_output_shape(shape)
