"""CFNet's correlation-filter layer: a closed-form ridge regression solved per sample in the Fourier domain.

For exemplar features ``x`` (H, W, C), Hann-windowed, and a Gaussian label ``y`` peaked at the zero shift (wrapped
around, CFNet's ``circ_grid``), with ``n = H * W`` and ``X_c``, ``Y`` their 2-D DFTs (the CFNet reference [C] of
:mod:`tf_lu.paper`, which the paper's Sec. III-B follows)::

    k = (1/n) sum_c conj(X_c) X_c + lambda,   alpha = (1/n) Y / k,   W_c = conj(alpha) X_c

and ``w = IDFT(W)``.  This is the minimiser of ``(1/n) sum_u (<w, x shifted by u> - y(u))^2 + lambda ||w||^2`` over
every circular shift ``u`` of ``x``, so the cross-correlation of ``w`` with ``x`` reproduces the label (peak at the
zero shift) and ``w`` has the target where ``x`` has it, in the middle.  The layer then crops ``margin`` cells off
each side of ``w``: the template that :func:`tf_lu.models.correlation.cross_correlation` slides over the search
features.  Real FFTs (``tf.signal.rfft2d``), one filter per sample, differentiable, float32 by default (any float
dtype of the input is kept, which the gradient tests use with float64).
"""
import keras
import numpy as np
import tensorflow as tf

from tf_lu import paper
from tf_lu.errors import TfLuError


def hann_window(height, width):
    """The (H, W) outer product of two symmetric Hann windows (zero at both ends, as MATLAB's ``hann``)."""
    return np.outer(np.hanning(height), np.hanning(width))


def circular_offsets(size):
    """Signed offsets of the indices ``0 .. size-1`` from index 0, wrapped around (CFNet's ``circ_grid``)."""
    half = (size - 1) // 2
    return (np.arange(size) + half) % size - half


def circular_gaussian(height, width, sigma):
    """The CF's regression target: a Gaussian of ``sigma`` cells centred on index (0, 0), wrapped around."""
    rows, cols = np.meshgrid(circular_offsets(height), circular_offsets(width), indexing="ij")
    return np.exp(-(rows ** 2 + cols ** 2) / (2.0 * sigma ** 2))


def solve_filter(features, label, cf_lambda, window=None):
    """The ridge-regression filter of every sample: ``features`` (B, H, W, C) -> (B, H, W, C).

    ``label`` is the (H, W) regression target (see :func:`circular_gaussian`), ``window`` an optional (H, W) window
    applied to the features first.  Works in the dtype of ``features`` (float32 or float64).
    """
    features = tf.convert_to_tensor(features)
    dtype = features.dtype
    height, width = int(features.shape[1]), int(features.shape[2])
    if window is not None:
        features = features * tf.constant(window, dtype)[None, :, :, None]
    x = tf.transpose(features, [0, 3, 1, 2])                      # (B, C, H, W): the FFT runs over the last two
    x_f = tf.signal.rfft2d(x)
    y_f = tf.signal.rfft2d(tf.constant(label, dtype))              # (H, W//2 + 1)
    n = float(height * width)
    energy = tf.reduce_sum(tf.math.square(tf.math.real(x_f)) + tf.math.square(tf.math.imag(x_f)), axis=1,
                           keepdims=True)
    k = energy / n + tf.cast(cf_lambda, dtype)                     # real, (B, 1, H, W//2 + 1)
    alpha_f = y_f / tf.complex(k * n, tf.zeros_like(k))
    w_f = tf.math.conj(alpha_f) * x_f
    w = tf.signal.irfft2d(w_f, fft_length=[height, width])
    return tf.transpose(w, [0, 2, 3, 1])


@keras.saving.register_keras_serializable(package="tf_lu")
class CorrelationFilter(keras.layers.Layer):
    """``g(x)`` of CFNet: window, closed-form CF solve against a Gaussian label, centre crop of ``margin`` cells.

    ``sigma`` is the label's standard deviation in feature cells (CFNet: 8 px / total stride); ``margin`` the cells
    cropped off each side of the solved filter (CFNet crops 16 from its 255-pixel exemplars' features).
    """

    def __init__(self, cf_lambda=paper.CFNET_LAMBDA, sigma=paper.CFNET_SIGMA_PIXELS / paper.CFNET_TOTAL_STRIDE,
                 margin=0, window=True, **kwargs):
        super().__init__(**kwargs)
        if cf_lambda <= 0 or sigma <= 0 or margin < 0:
            raise TfLuError(f"correlation filter: lambda and sigma must be positive and margin >= 0, got "
                            f"lambda={cf_lambda}, sigma={sigma}, margin={margin}")
        self.cf_lambda, self.sigma, self.margin, self.window = float(cf_lambda), float(sigma), int(margin), window

    def filter(self, features):
        """The solved filter before the crop, (B, H, W, C)."""
        height, width = features.shape[1], features.shape[2]
        if height is None or width is None:
            raise TfLuError("correlation filter: the exemplar features need a static spatial size")
        if height <= 2 * self.margin or width <= 2 * self.margin:
            raise TfLuError(f"correlation filter: margin {self.margin} leaves nothing of {height}x{width} features")
        window = hann_window(height, width) if self.window else None
        return solve_filter(features, circular_gaussian(height, width, self.sigma), self.cf_lambda, window)

    def call(self, features):
        w = self.filter(tf.convert_to_tensor(features))
        m = self.margin
        return w[:, m:w.shape[1] - m, m:w.shape[2] - m, :] if m else w

    def compute_output_shape(self, input_shape):
        b, h, w, c = input_shape
        shrink = lambda s: None if s is None else s - 2 * self.margin   # noqa: E731
        return (b, shrink(h), shrink(w), c)

    def get_config(self):
        return {**super().get_config(), "cf_lambda": self.cf_lambda, "sigma": self.sigma, "margin": self.margin,
                "window": self.window}
