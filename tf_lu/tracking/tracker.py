"""The tracker loop, shared by every base tracker (head) and every update method (updater).

``tracker.init(image, box)`` then ``box = tracker.update(image)`` for each later frame; images are RGB ``uint8``
(H, W, 3), boxes 0-based ``(x, y, w, h)``.  Each call is one call of the tracker's TensorFlow step
(:class:`tf_lu.tracking.step.TrackingStep`, one stream): the whole frame (pyramid crops, features, response, peak,
box, the updater's step) runs in the graph that is also exported for serving (:mod:`tf_lu.export`).  An updater
without a graph form (SGD) runs its ``update`` on the host after the graph step and hands the template back.
"""
import numpy as np
import tensorflow as tf

from tf_lu.geometry.boxes import validate_initial_box
from tf_lu.tracking.step import TrackingStep
from tf_lu.tracking.streams import stack_frames
from tf_lu.updaters.base import FrameEvidence


class Tracker:
    """A Siamese tracker: ``backbone`` (Keras model image -> features), a ``head`` and an ``updater``.  ``runner``, where
    given, is what the step calls in place of ``backbone`` on search crops, ``exemplar_runner`` on exemplar crops
    (:mod:`tf_lu.tracking.runtimes.choose`)."""

    def __init__(self, backbone, head, updater, track_config, name="tracker", runner=None, exemplar_runner=None):
        self.backbone, self.head, self.updater, self.cfg, self.name = backbone, head, updater, track_config, name
        updater.attach(head)
        self.graph = TrackingStep(backbone if runner is None else runner, head, updater, track_config,
                                  exemplar_runner)
        self.upscale = self.graph.upscale
        self.state, self.host_state, self.frame_index = None, None, 0

    def init(self, image, box):
        box = validate_initial_box(box, np.shape(image))
        frames, sizes = stack_frames([image])
        self.state = self.graph.init(frames, sizes, tf.constant(box[None], tf.float64))
        self.frame_index = 0
        if self.graph.host_updater is not None:
            self.host_state = self.graph.host_updater.init(self.state["template"])
        return box

    def update(self, image):
        self.frame_index += 1
        frames, sizes = stack_frames([image])
        out = self.graph.step(frames, sizes, self.state)
        self.state = out["state"]
        if self.graph.host_updater is not None:
            self._host_update(frames, sizes, out["evidence"])
        return out["box"].numpy()[0]

    def _host_update(self, frames, sizes, found):
        """The host-side updater's step on this frame's evidence; its template replaces the state's."""
        state, best = self.state, int(found["scale"][0])
        pyramid = found["pyramid"][0]
        evidence = FrameEvidence(
            candidate=lambda: self.graph.templates(frames, sizes, state["center_box"], state["sides"][:, 0]),
            search_features=lambda: pyramid[best:best + 1],
            peak=found["peak"].numpy()[0],
            confidence=float(found["confidence"][0]),
            frame_index=self.frame_index,
            search_pyramid=lambda: pyramid,
            scale=best)
        self.host_state, theta = self.graph.host_updater.update(self.host_state, evidence)
        self.state = {**state, "template": tf.convert_to_tensor(theta, tf.float32)}
