"""Cross-correlation whose gradient is computed by forward depthwise convolutions (TensorFlow only).

:func:`tf_lu.models.correlation.cross_correlation` is one depthwise convolution; TensorFlow differentiates it with
``DepthwiseConv2dNativeBackpropFilter``, which on the CPU is slow for large kernels: for CFNet's 21 x 21 filters over
53 x 53 search features (8 samples, 32 channels) forward and backward take about 36x the forward alone, and this one
gradient was most of a CFNet meta-training step (``tf-lu time meta-step``).  Both gradients of a correlation are
correlations themselves, with ``r[b, i, j] = sum_{u, v, c} T[b, u, v, c] Z[b, i + u, j + v, c]``::

    dT[b, u, v, c] = sum_{i, j} G[b, i, j] Z[b, i + u, j + v, c]        (Z correlated with G, channel by channel)
    dZ[b, x, y, c] = sum_{i, j} G[b, i, j] T[b, x - i, y - j, c]        (G zero-padded by h - 1, correlated with T
                                                                         flipped)

so :func:`correlation_with_fast_gradient` computes the same forward as ``cross_correlation`` and these two with the
same forward depthwise operation.  The results agree with TensorFlow's own gradient to float32 rounding
(``tests/test_correlation_gradient.py``).  Used where templates are trained on the CPU: meta-training
(:mod:`tf_lu.training.meta`) and the SGD baseline (:mod:`tf_lu.updaters.sgd`).
"""
import tensorflow as tf

from tf_lu.models.correlation import cross_correlation


def _dim(tensor, axis):
    """The static size of ``axis`` where known, else the dynamic one."""
    static = tensor.shape[axis]
    return static if static is not None else tf.shape(tensor)[axis]


def depthwise_per_sample(images, kernels):
    """Every channel of every sample correlated with its own kernel: ``images`` (B, H, W, C), ``kernels``
    (B, h, w, C) -> (B, H - h + 1, W - w + 1, C), valid positions only."""
    batch, height, width, channels = (_dim(images, a) for a in range(4))
    h, w = _dim(kernels, 1), _dim(kernels, 2)
    x = tf.reshape(tf.transpose(images, (1, 2, 0, 3)), (1, height, width, batch * channels))
    f = tf.reshape(tf.transpose(kernels, (1, 2, 0, 3)), (h, w, batch * channels, 1))
    out = tf.nn.depthwise_conv2d(x, f, strides=[1, 1, 1, 1], padding="VALID")
    return tf.transpose(tf.reshape(out, (height - h + 1, width - w + 1, batch, channels)), (2, 0, 1, 3))


@tf.custom_gradient
def _correlation(template, search):
    response = cross_correlation(template, search)

    def gradient(upstream):
        channels = _dim(search, 3)
        g = tf.broadcast_to(upstream, tf.concat([tf.shape(upstream)[:3], [channels]], axis=0))
        d_template = depthwise_per_sample(search, g)
        h, w = _dim(template, 1), _dim(template, 2)
        padded = tf.pad(g, [[0, 0], [h - 1, h - 1], [w - 1, w - 1], [0, 0]])
        d_search = depthwise_per_sample(padded, tf.reverse(template, axis=[1, 2]))
        return d_template, d_search

    return response, gradient


def correlation_with_fast_gradient(template, search):
    """:func:`tf_lu.models.correlation.cross_correlation` (template (B or 1, h, w, C), search (B, H, W, C) -> (B, H - h
    + 1, W - w + 1, 1)) with its gradients computed as forward depthwise convolutions."""
    search = tf.convert_to_tensor(search)
    template = tf.convert_to_tensor(template, search.dtype)
    template = tf.broadcast_to(template, tf.concat([tf.shape(search)[:1], tf.shape(template)[1:]], axis=0))
    return _correlation(template, search)


def respond_with_fast_gradient(head, theta, search):
    """``head.respond(theta, search)`` for the heads of :mod:`tf_lu.models.heads`, which all score as
    ``head.adjust(cross_correlation(theta, search))``, with the correlation's fast gradient."""
    return head.adjust(correlation_with_fast_gradient(theta, search))
