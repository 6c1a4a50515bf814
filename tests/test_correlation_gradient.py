"""The correlation with a fast gradient computes what cross_correlation and TensorFlow's own gradient compute."""
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.models.correlation import ResponseAdjust, cross_correlation
from tf_lu.models.correlation_gradient import (correlation_with_fast_gradient, depthwise_per_sample,
                                               respond_with_fast_gradient)
from tf_lu.models.heads import SiamFCHead


def test_depthwise_per_sample_matches_a_loop():
    rng = np.random.default_rng(0)
    images, kernels = rng.normal(size=(2, 6, 7, 3)), rng.normal(size=(2, 3, 2, 3))
    out = depthwise_per_sample(tf.constant(images), tf.constant(kernels)).numpy()
    expected = np.zeros((2, 4, 6, 3))
    for b in range(2):
        for i in range(4):
            for j in range(6):
                expected[b, i, j] = np.sum(images[b, i:i + 3, j:j + 2] * kernels[b], axis=(0, 1))
    np.testing.assert_allclose(out, expected, rtol=1e-12)


@pytest.mark.parametrize("template_batch", [3, 1])
def test_forward_and_both_gradients_match_tensorflow(template_batch):
    rng = np.random.default_rng(1)
    template = tf.constant(rng.normal(size=(template_batch, 5, 4, 2)))
    search = tf.constant(rng.normal(size=(3, 9, 11, 2)))
    weights = tf.constant(rng.normal(size=(3, 5, 8, 1)))   # a non-uniform upstream gradient

    def grads(correlate):
        with tf.GradientTape() as tape:
            tape.watch([template, search])
            response = correlate(template, search)
            loss = tf.reduce_sum(weights * response)
        return (response,) + tuple(tape.gradient(loss, [template, search]))

    for fast, reference in zip(grads(correlation_with_fast_gradient), grads(cross_correlation)):
        assert fast.shape == reference.shape
        np.testing.assert_allclose(fast.numpy(), reference.numpy(), rtol=1e-10, atol=1e-10)


def test_inside_a_compiled_function_with_static_shapes():
    rng = np.random.default_rng(2)
    template = tf.constant(rng.normal(size=(2, 21, 21, 4)).astype(np.float32))
    search = tf.constant(rng.normal(size=(2, 53, 53, 4)).astype(np.float32))

    @tf.function
    def template_gradient(correlate):
        with tf.GradientTape() as tape:
            tape.watch(template)
            loss = tf.reduce_sum(tf.square(correlate(template, search)))
        return tape.gradient(loss, template)

    fast, reference = template_gradient(correlation_with_fast_gradient), template_gradient(cross_correlation)
    np.testing.assert_allclose(fast.numpy(), reference.numpy(), rtol=2e-4, atol=2e-4 * np.abs(reference).max())


def test_respond_is_the_heads_respond():
    adjust = ResponseAdjust(gain=1e-3)
    adjust.build(())
    adjust.bias.assign(0.25)
    head = SiamFCHead(adjust)
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(2, 3, 3, 4)).astype(np.float32)
    search = rng.normal(size=(2, 8, 8, 4)).astype(np.float32)
    np.testing.assert_allclose(respond_with_fast_gradient(head, theta, search).numpy(),
                               head.respond(theta, search).numpy(), rtol=1e-6, atol=1e-6)
