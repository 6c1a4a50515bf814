"""Cross-correlation of a template (target model theta) over search features, and SiamFC's response adjust."""
import keras
import tensorflow as tf


def cross_correlation(template, search):
    """Batched cross-correlation, one template per sample.

    ``template`` (B, h, w, C) and ``search`` (B, H, W, C) -> response (B, H-h+1, W-w+1, 1).  A template batch of 1 is
    broadcast over the search batch (the scale pyramid of one target).  Implemented as one depthwise convolution over
    the batch folded into channels, which is exact and fast on CPU.
    """
    template = tf.convert_to_tensor(template)
    search = tf.convert_to_tensor(search)
    batch = tf.shape(search)[0]
    template = tf.broadcast_to(template, tf.concat([[batch], tf.shape(template)[1:]], axis=0))
    channels = tf.shape(search)[3]
    h, w = tf.shape(template)[1], tf.shape(template)[2]
    # search: (1, H, W, B*C); filter: (h, w, B*C, 1)
    x = tf.reshape(tf.transpose(search, [1, 2, 0, 3]), [1, tf.shape(search)[1], tf.shape(search)[2], -1])
    f = tf.reshape(tf.transpose(template, [1, 2, 0, 3]), [h, w, -1, 1])
    out = tf.nn.depthwise_conv2d(x, f, strides=[1, 1, 1, 1], padding="VALID")
    out_h, out_w = tf.shape(out)[1], tf.shape(out)[2]
    out = tf.reshape(out, [out_h, out_w, batch, channels])
    return tf.transpose(tf.reduce_sum(out, axis=3, keepdims=True), [2, 0, 1, 3])


@keras.saving.register_keras_serializable(package="tf_lu")
class ResponseAdjust(keras.layers.Layer):
    """``response * gain + bias`` with a fixed gain (1e-3 in SiamFC) and a learned scalar bias."""

    def __init__(self, gain=1e-3, **kwargs):
        super().__init__(**kwargs)
        self.gain = gain

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(), initializer="zeros")

    def call(self, response):
        return response * self.gain + self.bias

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}
