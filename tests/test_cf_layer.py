import numpy as np
import pytest
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.models.cf_layer import CorrelationFilter, circular_gaussian, hann_window, solve_filter
from tf_lu.models.correlation import cross_correlation


def spatial_ridge_solve(x, label, cf_lambda):
    """The same ridge regression in the spatial domain: one data row per circular shift u of ``x`` (row(t) =
    x(t + u), all channels), target label(u); minimise (1/n)||A w - y||^2 + lambda ||w||^2 by the normal
    equations (A^T A + n lambda I) w = A^T y.  Float64."""
    height, width, channels = x.shape
    n = height * width
    rows, targets = [], []
    for du in range(height):
        for dv in range(width):
            rows.append(np.roll(x, shift=(-du, -dv), axis=(0, 1)).ravel())
            targets.append(label[du, dv])
    a = np.array(rows)
    y = np.array(targets)
    w = np.linalg.solve(a.T @ a + n * cf_lambda * np.eye(a.shape[1]), a.T @ y)
    return w.reshape(height, width, channels)


@pytest.mark.parametrize("shape,cf_lambda,sigma,scale", [((8, 8, 3), 10.0, 2.0, 1.0), ((7, 9, 2), 0.5, 1.5, 1.0)])
def test_filter_equals_spatial_ridge_regression(shape, cf_lambda, sigma, scale):
    rng = np.random.default_rng(0)
    x = rng.normal(scale=scale, size=(2,) + shape)
    layer = CorrelationFilter(cf_lambda, sigma)
    out = layer(x.astype(np.float32)).numpy()
    assert out.dtype == np.float32 and out.shape == x.shape
    label = circular_gaussian(shape[0], shape[1], sigma)
    window = hann_window(shape[0], shape[1])[:, :, None]
    for b in range(2):
        expected = spatial_ridge_solve(x[b] * window, label, cf_lambda)
        assert np.abs(expected).max() > 1e-3          # a non-trivial filter
        np.testing.assert_allclose(out[b], expected, atol=1e-4, rtol=1e-4)
        assert np.abs(out[b] - expected).max() <= 1e-4 * np.abs(expected).max()


def test_filter_of_one_sample_does_not_depend_on_the_others():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 6, 6, 4)).astype(np.float32)
    layer = CorrelationFilter(2.0, 1.0)
    together = layer(x).numpy()
    alone = layer(x[1:2]).numpy()
    np.testing.assert_allclose(together[1:2], alone, atol=1e-6)


def test_gradient_matches_finite_differences():
    rng = np.random.default_rng(2)
    x = tf.constant(rng.normal(size=(2, 6, 5, 3)), tf.float64)
    label = circular_gaussian(6, 5, 1.2)
    window = hann_window(6, 5)
    probe = tf.constant(rng.normal(size=(2, 6, 5, 3)), tf.float64)

    def scalar(features):
        return tf.reduce_sum(solve_filter(features, label, 0.7, window) * probe)

    theoretical, numerical = tf.test.compute_gradient(scalar, [x], delta=1e-6)
    assert np.abs(theoretical[0]).max() > 1e-3
    np.testing.assert_allclose(theoretical[0], numerical[0], atol=1e-7, rtol=1e-5)


def test_layer_gradient_in_float32_is_finite_and_agrees_with_float64():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 8, 8, 2))
    layer = CorrelationFilter(10.0, 2.0, margin=2)
    grads = []
    for dtype in (tf.float32, tf.float64):
        features = tf.constant(x, dtype)
        with tf.GradientTape() as tape:
            tape.watch(features)
            loss = tf.reduce_sum(tf.square(layer(features)))
        grads.append(tape.gradient(loss, features).numpy())
    assert np.all(np.isfinite(grads[0]))
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-5, rtol=1e-3)


def test_search_equal_to_exemplar_peaks_at_the_centre():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 17, 17, 8)).astype(np.float32)
    template = CorrelationFilter(1.0, 2.0, margin=4)(x)
    assert template.shape == (3, 9, 9, 8)
    response = cross_correlation(template, x).numpy()[..., 0]
    assert response.shape == (3, 9, 9)
    for r in response:
        assert np.unravel_index(np.argmax(r), r.shape) == (4, 4)


def test_exemplar_embedded_in_a_larger_search_peaks_where_it_lies():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(1, 11, 11, 8)).astype(np.float32)
    search = rng.normal(scale=0.3, size=(1, 31, 31, 8)).astype(np.float32)
    search[:, 10:21, 10:21] = x[0]                  # exemplar centred in the search features
    response = cross_correlation(CorrelationFilter(1.0, 2.0)(x), search).numpy()[0, :, :, 0]
    assert response.shape == (21, 21)
    assert np.unravel_index(np.argmax(response), response.shape) == (10, 10)


def test_margin_crops_the_centre_of_the_filter():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 12, 12, 3)).astype(np.float32)
    full = CorrelationFilter(5.0, 2.0)(x).numpy()
    cropped = CorrelationFilter(5.0, 2.0, margin=3)(x).numpy()
    np.testing.assert_allclose(cropped, full[:, 3:9, 3:9], atol=1e-6)


def test_bad_settings_are_one_line_errors():
    with pytest.raises(TfLuError, match="lambda"):
        CorrelationFilter(0.0, 2.0)
    with pytest.raises(TfLuError, match="margin"):
        CorrelationFilter(1.0, 2.0, margin=4)(np.zeros((1, 8, 8, 2), np.float32))


def test_config_round_trip():
    layer = CorrelationFilter(3.0, 1.5, margin=2, window=False)
    clone = CorrelationFilter.from_config(layer.get_config())
    assert (clone.cf_lambda, clone.sigma, clone.margin, clone.window) == (3.0, 1.5, 2, False)
