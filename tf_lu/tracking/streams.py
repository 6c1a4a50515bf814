"""Many tracks advanced together: B independent streams, one call of the tracker's graph per frame.

``batch = StreamBatch(tracker.graph)``; ``batch.add(images, boxes)`` starts streams (their first frames and boxes),
``boxes, scores = batch.step(images)`` advances every stream by one frame (one image per stream, in order),
``batch.keep(indices)`` ends the others.  Frames of different sizes are padded to a common size
(:func:`stack_frames`); each stream reads only its own image, so its boxes are those it gets tracked alone.
"""
import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.geometry.boxes import validate_initial_box


def stack_frames(images):
    """``(frames (B, H, W, 3) uint8, sizes (B, 2) int32)``: the images zero-padded to the largest height and width."""
    images = [np.asarray(image, dtype=np.uint8) for image in images]
    sizes = np.array([image.shape[:2] for image in images], dtype=np.int32).reshape(-1, 2)
    if len(images) == 1:
        return tf.constant(images[0][None]), tf.constant(sizes)
    if len({image.shape for image in images}) == 1:
        return tf.constant(np.stack(images)), tf.constant(sizes)
    frames = np.zeros((len(images), sizes[:, 0].max(), sizes[:, 1].max(), 3), dtype=np.uint8)
    for frame, image in zip(frames, images):
        frame[:image.shape[0], :image.shape[1]] = image
    return tf.constant(frames), tf.constant(sizes)


class StreamBatch:
    """The state of B streams of one :class:`tf_lu.tracking.step.TrackingStep` (its updater must have a graph form)."""

    def __init__(self, graph):
        if graph.host_updater is not None:
            raise TfLuError(f"the {type(graph.host_updater).__name__} update runs on the host, one stream at a time; "
                            "batched streams need an update with a graph form (none, ema, learned)")
        self.graph = graph
        self.state = None

    def __len__(self):
        return 0 if self.state is None else int(self.state["center_box"].shape[0])

    def add(self, images, boxes):
        """Start one stream per image with its first box (0-based ``x, y, w, h``); they follow the running ones."""
        boxes = np.array([validate_initial_box(box, np.shape(image)) for image, box in zip(images, boxes)])
        frames, sizes = stack_frames(images)
        state = self.graph.init(frames, sizes, tf.constant(boxes, tf.float64))
        if self.state is not None:
            state = {key: tf.concat([self.state[key], value], axis=0) for key, value in state.items()}
        self.state = state

    def step(self, images):
        """Advance every stream by one frame; returns boxes (B, 4) and scores (B,) as NumPy arrays."""
        if len(images) != len(self):
            raise TfLuError(f"{len(images)} frames given for {len(self)} streams")
        frames, sizes = stack_frames(images)
        out = self.graph.step(frames, sizes, self.state)
        self.state = out["state"]
        return out["box"].numpy(), out["score"].numpy()

    def keep(self, indices):
        """Keep only the streams at ``indices`` (in that order)."""
        indices = tf.constant(np.asarray(indices, dtype=np.int32).reshape(-1))
        self.state = None if indices.shape[0] == 0 else {
            key: tf.gather(value, indices) for key, value in self.state.items()}
