"""A Siamese tracker's response map as a picture: where its template matched inside the search window.

The map shown for frame ``i`` is the one the tracker located the target with: its state after frame ``i - 1``
(template and search window) applied to frame ``i`` at the middle scale, before upsampling, scale penalty and cosine
window.  It is computed beside the tracking (a graph call of its own, not timed, that leaves the tracker's state
untouched) and only while the page asks for it.
"""
import cv2
import numpy as np
import tensorflow as tf

from tf_lu.tracking.step import crop_streams
from tf_lu.tracking.streams import stack_frames
from tf_lu.tracking.tracker import Tracker

MAP_SIDE = 136


def has_response_map(tracker):
    """Whether ``tracker`` is a Siamese tracker (SiamFC or CFNet head) whose response can be shown."""
    return isinstance(tracker, Tracker)


class ResponseProbe:
    """Computes the raw response of a :class:`~tf_lu.tracking.tracker.Tracker` state on a frame."""

    def __init__(self, tracker):
        self.tracker = tracker
        self._respond = tf.function(self._raw_response, reduce_retracing=True)

    def _raw_response(self, frames, sizes, centers, sides, template):
        tracker = self.tracker
        crops = crop_streams(frames, sizes, centers, sides, tracker.cfg.instance_size)
        return tracker.head.respond(template, tracker.backbone(crops, training=False))

    def response(self, frame, state):
        """The ``(r, r)`` response of ``state`` (a tracker's ``state`` dict) on the RGB ``frame``."""
        frames, sizes = stack_frames([frame])
        centers = tf.cast(state["center_box"][:, :2], tf.float32)
        sides = tf.cast(state["sides"][:, 1:], tf.float32)
        template = self.tracker.graph.next_template(state)     # with a deferred update, its pending step taken
        return self._respond(frames, sizes, centers, sides, template).numpy()[0, :, :, 0]


def heatmap(response, side=MAP_SIDE):
    """A response as an RGB ``side`` x ``side`` picture, upsampled bicubically: its lowest value dark blue, its
    highest dark red (OpenCV's JET colours)."""
    upsampled = cv2.resize(np.asarray(response, dtype=np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    low, high = float(upsampled.min()), float(upsampled.max())
    flat = high - low <= 1e-6 * max(1.0, abs(high))        # a constant response, up to interpolation's rounding
    scaled = np.zeros_like(upsampled) if flat else (upsampled - low) / (high - low)
    grey = np.round(np.clip(scaled, 0, 1) * 255).astype(np.uint8)
    return cv2.applyColorMap(grey, cv2.COLORMAP_JET)[:, :, ::-1].copy()
