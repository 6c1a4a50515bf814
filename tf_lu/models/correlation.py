"""Cross-correlation of a template (target model theta) over search features, and SiamFC's response adjust."""
import keras
from keras import ops


def cross_correlation(template, search):
    """Batched cross-correlation, one template per sample.

    ``template`` (B, h, w, C) and ``search`` (B, H, W, C) -> response (B, H-h+1, W-w+1, 1).  A template batch of 1 is
    broadcast over the search batch (the scale pyramid of one target): where that batch is known to be 1 when the
    graph is built, one convolution with the template as its kernel; otherwise one depthwise convolution over the
    batch folded into channels, which is exact and fast on CPU.  Written in ``keras.ops`` only, so it runs under
    any Keras backend (JAX on a GPU machine without TensorFlow, see ``tf-lu time backend``).
    """
    template = ops.convert_to_tensor(template)
    search = ops.convert_to_tensor(search)
    if template.shape[0] == 1 and None not in template.shape[1:]:
        # one template for every sample (known when the graph is built): one plain convolution with it as the kernel
        return ops.conv(search, ops.expand_dims(template[0], -1), strides=1, padding="valid")
    batch, height, width, channels = ops.shape(search)
    _, h, w, _ = ops.shape(template)
    template = ops.broadcast_to(template, (batch, h, w, channels))
    # search: (1, H, W, B*C); filter: (h, w, B*C, 1)
    x = ops.reshape(ops.transpose(search, (1, 2, 0, 3)), (1, height, width, -1))
    f = ops.reshape(ops.transpose(template, (1, 2, 0, 3)), (h, w, -1, 1))
    out = ops.depthwise_conv(x, f, strides=1, padding="valid")
    _, out_h, out_w, _ = ops.shape(out)
    out = ops.reshape(out, (out_h, out_w, batch, channels))
    return ops.transpose(ops.sum(out, axis=3, keepdims=True), (2, 0, 1, 3))


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
