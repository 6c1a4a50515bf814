"""tf_lu: learning to update for visual object tracking, in TensorFlow 2 / Keras 3."""

__version__ = "0.1.0"
