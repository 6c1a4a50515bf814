"""The SGD baseline: MDNet-style online fine-tuning of the linear target model theta [P, Sec. V-A].

Only theta is learned (the feature extractor and the head's response adjust stay frozen).  The settings are the
config's section ``updater.sgd`` (:class:`tf_lu.config.SgdConfig`).  Every tracked frame adds one sample to an online
set (a ring buffer of ``set_size`` entries): the chosen scale's search features and a label map centred where the
tracker put the target (the tracker's own estimate is the pseudo-label, as in MDNet), with positives within
``positive_radius`` crop pixels (``/ total stride 8`` on the response grid).

* long-term update: every ``long_term_every`` frames, ``long_term_iters`` steps of plain SGD (lr ``lr``) on batches
  of ``batch`` samples drawn uniformly from the whole online set;
* short-term update: on a frame whose confidence (sigmoid of the raw response peak) is below ``confidence`` and
  which had no long-term update, ``short_term_iters`` steps on batches drawn from the last :data:`SHORT_TERM_FRAMES`
  samples.

The loss is :func:`tf_lu.models.losses.balanced_logistic_loss` of ``head.respond(theta, z)`` against the label maps.
For CFNet's head (21 x 21 filters) the online set holds each sample's Fourier spectrum instead of its features and the
iterations run in the Fourier domain (:mod:`tf_lu.updaters.sgd_spectral`): the same SGD steps, about 25x fewer
operations.

The first frame: ``init(theta_1)`` only sees the exemplar's template; the first frame's search region is never
cropped by the tracker, so there is no first-frame sample.  The online set starts empty and the first ``update`` (frame
2 of the video) adds the first sample; theta stays theta_1 until the first long-term update (frame
``long_term_every``) or the first low-confidence frame.

Memory: the buffers are preallocated once the first sample's shape is known: ``set_size * H * W * C`` floats
(half-width SiamFC, 22 x 22 x 128: ~248 MB for 1,000 samples; full width ~496 MB), plus the small label maps; for
CFNet ``set_size * C * P * (P // 2 + 1)`` complex64 values (half-width conv3, 53 x 53 x 32 padded to P = 54:
~387 MB).
"""
import dataclasses
from typing import Any, Optional

import numpy as np
import tensorflow as tf

from tf_lu import paper
from tf_lu.errors import TfLuError
from tf_lu.models.heads import CFNetHead, SiamFCHead
from tf_lu.models.labels import label_maps
from tf_lu.models.losses import balanced_logistic_loss
from tf_lu.updaters.base import Updater
from tf_lu.updaters.sgd_spectral import batch_slots, fft_side, make_spectral_fit, sample_spectra, spectral_response

SHORT_TERM_FRAMES = 20   # MDNet: the short-term update uses the samples of the last 20 frames


@dataclasses.dataclass
class SGDState:
    """One sequence's state.  ``features`` / ``labels`` are allocated on the first ``update``."""
    theta: Any
    features: Optional[tf.Variable] = None    # (capacity, H, W, C); spectral: (capacity, C, P, P // 2 + 1)
    labels: Optional[tf.Variable] = None      # (capacity, S, S, 1)
    count: int = 0                            # valid samples in the set (<= capacity)
    next_slot: int = 0                        # ring-buffer write position
    frames: int = 0                           # update() calls so far
    long_term_updates: int = 0
    short_term_updates: int = 0

    @property
    def capacity(self):
        return 0 if self.features is None else int(self.features.shape[0])

    def recent_slots(self, k):
        """Ring-buffer indices of the ``k`` most recent samples, oldest first."""
        k = min(k, self.count)
        return [(self.next_slot - k + i) % self.capacity for i in range(k)]


class SGDUpdater(Updater):
    """MDNet-style SGD on theta over an online set of (search feature, pseudo-label map) pairs."""

    total_stride = paper.SIAMFC_TOTAL_STRIDE

    def __init__(self, config):
        self.config = config     # the section updater.sgd (tf_lu.config.SgdConfig)
        self.capacity = int(config.set_size)
        self.batch = int(config.batch)
        self.lr = float(config.lr)
        self.traces = 0          # python-side trace counter of the inner loop (tests check it stays at 1)
        self._fit = None
        self.spectral = False    # the online set holds spectra and the loop runs in the Fourier domain (CFNet)

    # --- interface ------------------------------------------------------------------------------------------------
    def attach(self, head):
        super().attach(head)
        self.spectral = type(head) is CFNetHead
        if self.spectral:
            self._fit = make_spectral_fit(head.adjust, self.lr, self.batch, counter=self._count_trace)
        else:
            self._fit = self._make_fit()

    def _count_trace(self):
        self.traces += 1

    def init(self, theta):
        return SGDState(theta=tf.convert_to_tensor(theta, tf.float32))

    def update(self, state, evidence):
        if self.head is None:
            raise TfLuError("SGDUpdater needs attach(head) before update()")
        self.add_sample(state, evidence.search_features(), evidence.peak)
        state.frames += 1
        cfg = self.config
        if state.frames % cfg.long_term_every == 0:
            state.theta = self.fit(state, 0, state.count, cfg.long_term_iters)   # slots 0..count-1 are filled
            state.long_term_updates += 1
        elif float(evidence.confidence) < cfg.confidence:
            recent = min(SHORT_TERM_FRAMES, state.count)
            state.theta = self.fit(state, (state.next_slot - recent) % state.capacity, recent,
                                   cfg.short_term_iters)
            state.short_term_updates += 1
        return state, state.theta

    # --- the online set -------------------------------------------------------------------------------------------
    def add_sample(self, state, search_features, peak):
        """Store ``search_features`` (1, H, W, C) with a label map centred at ``peak`` in the ring buffer."""
        z = tf.convert_to_tensor(search_features, tf.float32)
        if z.shape.rank != 4 or z.shape[0] != 1:
            raise TfLuError(f"SGDUpdater expects search features shaped (1, H, W, C), got {tuple(z.shape)}")
        stored = sample_spectra(z, fft_side(max(z.shape[1:3]))) if self.spectral else z
        if state.features is None:
            # head.respond once eagerly: gives the response size and builds the head's layers outside tf.function
            size = int(self.head.respond(state.theta, z).shape[1])
            state.features = tf.Variable(tf.zeros((self.capacity,) + tuple(stored.shape[1:]), stored.dtype),
                                         trainable=False)
            state.labels = tf.Variable(tf.zeros((self.capacity, size, size, 1), tf.float32), trainable=False)
        elif tuple(stored.shape[1:]) != tuple(state.features.shape[1:]):
            raise TfLuError(f"search features changed shape: {tuple(z.shape[1:])} vs the first sample's")
        size = int(state.labels.shape[1])
        labels = label_maps(size, [self._raw_peak(peak, size)], self.total_stride,
                            self.config.positive_radius)[0].numpy()
        slot = state.next_slot
        # scatter_update writes one row in place (a sliced assign copies the whole buffer: ~30 ms at C=128)
        state.features.scatter_update(tf.IndexedSlices(stored, tf.constant([slot])))
        state.labels.scatter_update(tf.IndexedSlices(tf.constant(labels[None, :, :, None]), tf.constant([slot])))
        state.next_slot = (slot + 1) % state.capacity
        state.count = min(state.count + 1, state.capacity)

    def _raw_peak(self, peak, size):
        """``peak`` on the raw (S, S) response grid (``FrameEvidence.peak``); ``None`` means the centre."""
        centre = (size - 1) / 2.0
        if peak is None:
            return centre, centre
        return float(peak[0]), float(peak[1])

    # --- the inner loop -------------------------------------------------------------------------------------------
    def fit(self, state, start, n, iterations):
        """``iterations`` SGD steps on theta over batches drawn from ring slots ``start .. start + n - 1``."""
        if n <= 0 or iterations <= 0:
            return state.theta
        # the batches' seed: this sequence's fits so far and its frame, so a run never depends on earlier runs
        seed = state.long_term_updates + state.short_term_updates + 1
        return self._fit(state.theta, state.features, state.labels, tf.constant(start, tf.int32),
                         tf.constant(n, tf.int32), tf.constant(iterations, tf.int32),
                         tf.constant([seed, state.frames], tf.int32))

    def _make_fit(self):
        respond, lr, batch = self._respond, self.lr, self.batch

        # The buffers are passed as tf.Variables (resource handles): a tensor signature would read (copy) the whole
        # buffer on every call, while tf.gather on a variable reads only the batch's rows.  tf.function keys a
        # variable argument on its shape and dtype, and every other argument is a fixed-shape tensor, so this
        # traces once per feature shape (once per tracker config), not per call or per sequence.
        @tf.function(reduce_retracing=True)
        def fit(theta, features, labels, start, n, iterations, seed):
            self.traces += 1
            capacity = tf.shape(features)[0]
            for step in tf.range(iterations):
                index = batch_slots(seed, step, batch, start, n, capacity)
                z, y = tf.gather(features, index), tf.gather(labels, index)
                with tf.GradientTape() as tape:
                    tape.watch(theta)
                    loss = balanced_logistic_loss(y, respond(theta, z))
                theta = theta - lr * tape.gradient(loss, theta)
            return theta

        return fit

    def _respond(self, theta, search_features):
        """``head.respond``; for the plain SiamFC head the same correlation, computed faster on CPU.

        ``sum_{h,w,c} theta[h,w,c] z[b,i+h,j+w,c]``: one GEMM contracts the channels for every template cell
        (``(B*H*W, C) x (C, h*w)``), then a fixed one-hot (h, w, h*w, 1) convolution sums the shifted cells.  Forward
        plus backward this is ~2.5x faster than a single-output-channel conv2d and ~6x faster than the general
        per-sample correlation (half width, batch 8).
        """
        h, w, channels = theta.shape[1:]
        if type(self.head) is not SiamFCHead or theta.shape[0] != 1 or None in (h, w, channels):
            return self.head.respond(theta, search_features)
        z = tf.convert_to_tensor(search_features)
        shape = tf.shape(z)
        cells = tf.matmul(tf.reshape(z, [-1, channels]), tf.reshape(theta, [h * w, channels]), transpose_b=True)
        cells = tf.reshape(cells, tf.concat([shape[:3], [h * w]], axis=0))
        one_hot = tf.constant(np.eye(h * w, dtype=np.float32).reshape(h, w, h * w, 1))
        return self.head.adjust(tf.nn.conv2d(cells, one_hot, strides=1, padding="VALID"))

    def loss(self, state, theta=None, slots=None):
        """Mean balanced logistic loss of ``theta`` (default: the state's) over stored samples (default: all)."""
        if state.count == 0:
            return 0.0
        slots = list(range(state.count)) if slots is None else list(slots)
        theta = state.theta if theta is None else theta
        z, y = tf.gather(state.features, slots), tf.gather(state.labels, slots)
        if self.spectral:
            return float(balanced_logistic_loss(y, self.head.adjust(spectral_response(theta, z, y.shape[1]))))
        return float(balanced_logistic_loss(y, self._respond(theta, z)))

