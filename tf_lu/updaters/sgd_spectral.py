"""The SGD baseline's inner loop in the Fourier domain, for templates as large as CFNet's 21 x 21 filters.

SGD fine-tunes theta on ``loss(adjust(r))`` with ``r[b, u] = sum_{x, c} theta[x, c] z_b[x + u, c]``, the valid
cross-correlation (:func:`tf_lu.models.correlation.cross_correlation`), and its gradient
``d theta[x, c] = sum_{b, u} dr_b[u] z_b[x + u, c]`` is a correlation too.  Computed in space, each costs
``B R^2 m^2 C`` multiply-adds (for CFNet, 8 x 33^2 x 21^2 x 32 = 123 M per iteration, at 50 to 200 iterations per
frame).  Zero-padded to a side ``P >= S`` (the search side), circular correlations equal the valid ones on the
positions used (``x + u <= S - 1 < P``: nothing wraps around), and in the Fourier domain they are products::

    R_b = sum_c conj(Theta_c) Z_{b,c},        dTheta_c = sum_b conj(DR_b) Z_{b,c}

with ``Z`` each stored sample's real 2-D DFT, computed once when the sample enters the online set
(:func:`sample_spectra`).  An iteration then costs C + B forward and B + C inverse FFTs of P x P and two products
over the spectra, about 25x fewer operations than in space for CFNet; the loss and its gradient with respect to the
response are taken on the response itself, so the iterations are those of plain SGD on the same loss
(``tests/test_sgd_updater.py`` checks them against the spatial ones).
"""
import tensorflow as tf

from tf_lu.models.losses import balanced_logistic_loss

FFT_FACTORS = (2, 3, 5)


def fft_side(size):
    """The smallest side ``>= size`` whose only prime factors are 2, 3 and 5 (fast FFT lengths)."""
    side = max(1, int(size))
    while True:
        rest = side
        for factor in FFT_FACTORS:
            while rest % factor == 0:
                rest //= factor
        if rest == 1:
            return side
        side += 1


def _spectra(maps, side):
    """Real 2-D DFTs of ``maps`` (..., H, W) zero-padded to ``side`` x ``side``: (..., side, side // 2 + 1)."""
    pad = [[0, 0]] * (maps.shape.rank - 2) + [[0, side - maps.shape[-2]], [0, side - maps.shape[-1]]]
    return tf.signal.rfft2d(tf.pad(maps, pad))


def sample_spectra(search_features, side):
    """(B, H, W, C) search features -> (B, C, side, side // 2 + 1) complex64 spectra, channel-major."""
    return _spectra(tf.transpose(tf.cast(search_features, tf.float32), (0, 3, 1, 2)), side)


def spectral_response(theta, spectra, response_side):
    """The valid correlation of ``theta`` (1, m, m, C) with the samples of ``spectra`` (B, C, P, P // 2 + 1):
    (B, response_side, response_side, 1)."""
    side = spectra.shape[2]
    theta_f = _spectra(tf.transpose(theta[0], (2, 0, 1)), side)               # (C, P, P // 2 + 1)
    product = tf.reduce_sum(tf.math.conj(theta_f)[None] * spectra, axis=1)   # (B, P, P // 2 + 1)
    response = tf.signal.irfft2d(product, fft_length=[side, side])
    return response[:, :response_side, :response_side, None]


def spectral_template_gradient(d_response, spectra, template_side):
    """d loss / d theta (1, m, m, C) from d loss / d response (B, R, R, 1) and the samples' ``spectra``."""
    side = spectra.shape[2]
    d_f = _spectra(d_response[..., 0], side)                                   # (B, P, P // 2 + 1)
    product = tf.reduce_sum(tf.math.conj(d_f)[:, None] * spectra, axis=0)    # (C, P, P // 2 + 1)
    gradient = tf.signal.irfft2d(product, fft_length=[side, side])[:, :template_side, :template_side]
    return tf.transpose(gradient, (1, 2, 0))[None]


def batch_slots(seed, step, batch, start, n, capacity):
    """The ring slots of iteration ``step``'s batch: ``batch`` draws, uniform over ``start .. start + n - 1``
    (mod ``capacity``), from the Philox generator keyed by ``seed`` and ``step`` (named, so that a loop compiled by XLA
    draws what the plain graph draws)."""
    offsets = tf.random.stateless_uniform([batch], tf.random.experimental.stateless_fold_in(seed, step),
                                          minval=0, maxval=n, dtype=tf.int32, alg="philox")
    return tf.math.floormod(start + offsets, capacity)


def make_spectral_fit(adjust, lr, batch, counter=None):
    """The compiled inner loop ``fit(theta, spectra, labels, start, n, iterations, seed) -> theta``: ``iterations``
    plain SGD steps of rate ``lr`` on the balanced logistic loss of ``adjust(response)``, each on ``batch`` samples
    drawn uniformly from ring slots ``start .. start + n - 1`` of the online set (``spectra`` and ``labels``
    variables); the draws are those of :class:`tf_lu.updaters.sgd.SGDUpdater`'s spatial loop.  ``counter``, if given,
    is called once per trace."""

    # compiled by XLA: it fuses the products over the spectra with their sums and runs the loop without
    # per-operation dispatch, about half the CPU time per iteration of the plain graph (CFNet, 8 samples)
    @tf.function(reduce_retracing=True, jit_compile=True)
    def fit(theta, spectra, labels, start, n, iterations, seed):
        if counter:
            counter()
        capacity = tf.shape(spectra)[0]
        template_side, response_side = theta.shape[1], labels.shape[1]
        for step in tf.range(iterations):
            index = batch_slots(seed, step, batch, start, n, capacity)
            z_f, y = tf.gather(spectra, index), tf.gather(labels, index)
            response = spectral_response(theta, z_f, response_side)
            with tf.GradientTape() as tape:
                tape.watch(response)
                loss = balanced_logistic_loss(y, adjust(response))
            theta = theta - lr * spectral_template_gradient(tape.gradient(loss, response), z_f, template_side)
        return theta

    return fit
