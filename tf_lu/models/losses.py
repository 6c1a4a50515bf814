"""Training losses: SiamFC's balanced logistic loss (labels: :mod:`tf_lu.models.labels`), the anchor term, and a cross-entropy over
response positions (the learned updater's `meta.loss: softmax`)."""
import tensorflow as tf


def balanced_logistic_loss(labels, logits):
    """Logistic loss with weights 0.5 / #positives and 0.5 / #negatives per sample, summed over the map and
    averaged over the batch.  ``labels`` and ``logits`` have shape (B, S, S, 1) or (B, S, S)."""
    return tf.reduce_mean(balanced_logistic_per_sample(labels, logits))


def balanced_logistic_per_sample(labels, logits):
    """:func:`balanced_logistic_loss` before the batch mean: one value per sample, shape (B,)."""
    labels = tf.cast(tf.reshape(labels, tf.shape(logits)), logits.dtype)
    axes = tf.range(1, tf.rank(logits))
    positives = tf.reduce_sum(labels, axis=axes, keepdims=True)
    negatives = tf.reduce_sum(1.0 - labels, axis=axes, keepdims=True)
    weights = labels * 0.5 / tf.maximum(positives, 1.0) + (1.0 - labels) * 0.5 / tf.maximum(negatives, 1.0)
    per_cell = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return tf.reduce_sum(weights * per_cell, axis=axes)


def anchor_loss(theta, theta_1):
    """||theta - theta_1||^2 / (m * m * d) per sample: the paper's anchor term, zero when theta equals theta_1."""
    return tf.reduce_mean(tf.square(theta - theta_1), axis=tf.range(1, tf.rank(theta)))


def spatial_softmax_per_sample(labels, logits):
    """Cross-entropy between the response's softmax over positions and the label map normalised to a distribution
    (uniform over the positive cells), one value per sample, shape (B,).  Unlike the logistic loss it is blind to an
    offset of all logits and rewards only ranking the target's cells above every other position: localisation, what
    the tracker's peak uses (an extension for the learned updater's meta-training, not in the paper)."""
    batch = tf.shape(logits)[0]
    flat_logits = tf.reshape(logits, [batch, -1])
    flat_labels = tf.cast(tf.reshape(labels, [batch, -1]), flat_logits.dtype)
    target = flat_labels / tf.maximum(tf.reduce_sum(flat_labels, axis=1, keepdims=True), 1.0)
    return -tf.reduce_sum(target * tf.nn.log_softmax(flat_logits, axis=1), axis=1)


CLASSIFICATION_LOSSES = {"logistic": balanced_logistic_per_sample, "softmax": spatial_softmax_per_sample}
