"""Response post-processing shared by the tracker and meta-training: the cosine window and the windowed peak.

The functions take an array module ``xp``: NumPy on the tracker's host side, ``tensorflow.experimental.numpy`` inside
meta-training's graph, so both score a response the same way.
"""
import numpy as np


def hann_window(size):
    """The (size, size) cosine (Hann) window, normalised to sum 1, float32."""
    hann = np.outer(np.hanning(size), np.hanning(size))
    return (hann / hann.sum()).astype(np.float32)


def blend_window(response, window, influence, xp=np):
    """Min-shift and normalise ``response`` (..., S, S) to sum 1, then blend in ``window`` with weight ``influence``."""
    response = response - xp.min(response, axis=(-2, -1), keepdims=True)
    response = response / (xp.sum(response, axis=(-2, -1), keepdims=True) + 1e-12)
    return (1 - influence) * response + influence * window


def scale_penalties(scales, penalty):
    """(K, 1, 1) factors on each scale's response: 1 at scale 1, ``penalty`` on the others."""
    return np.where(np.isclose(scales, 1.0), 1.0, penalty)[:, None, None]


def best_scale(responses):
    """Index of the scale (first axis of ``responses`` (K, S, S)) with the highest response value."""
    return int(np.argmax(responses.reshape(len(responses), -1).max(axis=1)))


def peak_position(response):
    """(row, col) of the maximum of a 2-D response."""
    row, col = np.unravel_index(int(np.argmax(response)), response.shape)
    return row, col
