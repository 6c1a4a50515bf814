"""The label map of a response: 1 within a radius of the target's position on the response grid, else 0.

One function serves every user: the extractor's training pairs (target at the centre), the SGD updater's online set
(target at the tracker's peak) and meta-training (target where it sits in each frame's search crop).
"""
import tensorflow as tf


def label_maps(response_size, peaks, total_stride, positive_radius, dtype=tf.float64):
    """(B, S, S) float32 label maps: 1 within ``positive_radius`` search-crop pixels of ``peaks``.

    ``peaks`` (B, 2) are (row, col) positions on the S x S response grid (fractional allowed); a cell is positive when
    its distance to the peak, in cells, is at most ``positive_radius / total_stride``.  ``dtype`` is the precision
    of the distance computation.
    """
    peaks = tf.cast(tf.reshape(peaks, [-1, 2]), dtype)
    grid = tf.range(response_size, dtype=dtype)
    rows, cols = tf.meshgrid(grid, grid, indexing="ij")
    distance = tf.sqrt(tf.square(rows[None] - peaks[:, 0, None, None]) + tf.square(cols[None] - peaks[:, 1, None, None]))
    return tf.cast(distance <= tf.cast(positive_radius / total_stride, dtype), tf.float32)


def centred_label_map(response_size, total_stride, positive_radius):
    """The (S, S) NumPy label map with the target at the centre of the response (SiamFC's training labels)."""
    centre = (response_size - 1) / 2.0
    return label_maps(response_size, [[centre, centre]], total_stride, positive_radius)[0].numpy()
