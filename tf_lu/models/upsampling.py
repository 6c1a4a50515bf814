"""Bicubic upsampling of a response as two matrix products, with TensorFlow's own bicubic weights.

``tf.image.resize(..., method="bicubic")`` is separable and linear, so resizing an (r, r) response to (u, u) is
``A @ response @ A.T`` with the (u, r) matrix ``A`` whose column j is the resize of the j-th unit vector.  The matrix
form runs where ``ResizeBicubic`` has no kernel (TFLite, XLA) and gives the resize's values to float rounding.
"""
import numpy as np
import tensorflow as tf


def bicubic_matrix(size, out_size):
    """The (out_size, size) float64 matrix of ``tf.image.resize(method="bicubic")`` along one axis."""
    units = tf.eye(size, dtype=tf.float32)[:, :, None, None]              # size images of shape (size, 1, 1)
    columns = tf.image.resize(units, [out_size, 1], method="bicubic")[:, :, 0, 0]
    return np.asarray(columns.numpy(), np.float64).T


def upsample(responses, matrix):
    """``responses`` (N, r, r) -> (N, u, u): ``matrix @ response @ matrix.T`` in the responses' dtype."""
    matrix = tf.constant(matrix, responses.dtype)
    return tf.matmul(tf.matmul(tf.broadcast_to(matrix, tf.concat([tf.shape(responses)[:1], tf.shape(matrix)], 0)),
                               responses), matrix, transpose_b=True)
