"""Export of a tracker's TensorFlow step as a SavedModel for serving without this package."""
