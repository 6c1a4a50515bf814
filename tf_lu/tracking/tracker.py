"""The tracker loop, shared by every base tracker (head) and every update method (updater).

``tracker.init(image, box)`` then ``box = tracker.update(image)`` for each later frame; images are RGB ``uint8``
(H, W, 3), boxes 0-based ``(x, y, w, h)``.  Per frame: crop a scale pyramid around the last position (in
TensorFlow), extract features, score them with the current target model theta, upsample, penalise scale change,
add the cosine window, move to the peak, damp the scale change, then hand the frame to the updater, whose next theta
is computed at the start of the next frame's compiled search step (``Updater.defer`` / ``template`` / ``settle``).
"""
import numpy as np
import tensorflow as tf

from tf_lu.geometry.boxes import clip_center_box, from_center, to_center, validate_initial_box
from tf_lu.geometry.crops import crop_tf, exemplar_side, scale_factors
from tf_lu.models.response import best_scale, blend_window, hann_window, peak_position, scale_penalties
from tf_lu.updaters.base import FrameEvidence


class Tracker:
    """A Siamese tracker: ``backbone`` (Keras model image -> features), a ``head`` and an ``updater``."""

    def __init__(self, backbone, head, updater, track_config, name="tracker"):
        self.backbone, self.head, self.updater, self.cfg, self.name = backbone, head, updater, track_config, name
        updater.attach(head)
        cfg = track_config
        self.scales = scale_factors(cfg.scale_num, cfg.scale_step)
        self.penalties = scale_penalties(self.scales, cfg.scale_penalty)
        response = self._response_size()
        self.upscale = response * cfg.response_up
        self.window = hann_window(self.upscale)
        self._exemplar_fn = tf.function(self._exemplar, reduce_retracing=True)
        self._search_fn = tf.function(self._search, reduce_retracing=True)

    def _response_size(self):
        z = self.backbone.compute_output_shape((1, self.cfg.exemplar_size, self.cfg.exemplar_size, 3))[1]
        x = self.backbone.compute_output_shape((1, self.cfg.instance_size, self.cfg.instance_size, 3))[1]
        return x - z + 1

    # --- TensorFlow parts (images and boxes in, tensors out) -----------------------------------------------------
    def _exemplar(self, image, center, side):
        crop = crop_tf(image, center, tf.reshape(side, [1]), self.cfg.exemplar_size)
        return self.backbone(crop, training=False)

    def _search(self, image, center, sides, template_inputs):
        theta, settled = self.updater.template(template_inputs)
        crops = crop_tf(image, center, sides, self.cfg.instance_size)
        features = self.backbone(crops, training=False)
        responses = self.head.respond(theta, features)
        upsampled = tf.image.resize(responses, [self.upscale, self.upscale], method="bicubic")
        return upsampled[..., 0], responses[..., 0], features, settled

    # --- the loop -----------------------------------------------------------------------------------------------
    def init(self, image, box):
        box = validate_initial_box(box, np.shape(image))
        self.center_box = to_center(box)
        self.image_shape = np.shape(image)
        cx, cy, w, h = self.center_box
        self.z_side = exemplar_side(w, h, self.cfg.context)
        self.x_side = self.z_side * self.cfg.instance_size / self.cfg.exemplar_size
        self.frame_index = 0
        features = self._exemplar_fn(image, np.float32([cx, cy]), np.float32(self.z_side))
        theta = self.head.g(features)
        self.state = self.updater.init(theta)
        self.template_inputs = theta      # what the updater's ``template`` turns into theta in the next search step
        return box

    def update(self, image):
        cfg = self.cfg
        self.frame_index += 1
        cx, cy, w, h = self.center_box
        sides = (self.x_side * self.scales).astype(np.float32)
        upsampled, raw, features, settled = self._search_fn(image, np.float32([cx, cy]), sides, self.template_inputs)
        self.state = self.updater.settle(self.state, settled)
        upsampled = upsampled.numpy() * self.penalties
        best = best_scale(upsampled)
        row, col = peak_position(blend_window(upsampled[best], self.window, cfg.window_influence))
        displacement = (np.array([col, row], dtype=np.float64) - (self.upscale - 1) / 2.0)
        displacement *= cfg.total_stride / cfg.response_up * self.x_side * self.scales[best] / cfg.instance_size
        scale = (1 - cfg.scale_lr) + cfg.scale_lr * self.scales[best]
        proposal = np.array([cx + displacement[0], cy + displacement[1], w * scale, h * scale])
        clipped = clip_center_box(proposal, np.shape(image), cfg.min_size)
        if clipped is not None:
            ratio = np.sqrt(clipped[2] * clipped[3] / max(w * h, 1e-9))
            self.center_box = clipped
            self.z_side *= ratio
            self.x_side *= ratio
        # the peak on the raw response grid (before upsampling), where search-feature windows are taken
        raw = raw.numpy()
        peak = ((np.array([row, col], dtype=np.float64) - (self.upscale - 1) / 2.0) / cfg.response_up
                + (raw.shape[1] - 1) / 2.0)
        confidence = float(1.0 / (1.0 + np.exp(-raw[best].max())))
        self._update_model(image, features, best, peak, confidence)
        return from_center(self.center_box)

    def _update_model(self, image, features, best, peak, confidence):
        cx, cy = self.center_box[:2]
        z_side = self.z_side
        evidence = FrameEvidence(
            candidate=lambda: self.head.g(self._exemplar_fn(image, np.float32([cx, cy]), np.float32(z_side))),
            search_features=lambda: features[best:best + 1],
            peak=peak,
            confidence=confidence,
            frame_index=self.frame_index,
            search_pyramid=lambda: features,
            scale=best)
        self.state, self.template_inputs = self.updater.defer(self.state, evidence)

