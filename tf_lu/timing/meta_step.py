"""Where one meta-training step of the learned updater spends its time (a benchmark, not a test).

One step of :class:`tf_lu.training.meta.MetaTrainer` runs a chunk of ``meta.unroll`` frames of ``meta.batch_size``
sequences: per frame the response of the current template and of theta_1 with the loss and peaks ("response and
loss"), the feature window at the estimated position ("feature windows"), g of it ("g: CF solve" for CFNet; the
identity for SiamFC), one step of the recurrent network with its output convolution ("recurrent updater"); then the
backward pass through the chunk and the optimiser update.  Each part is timed alone as a compiled function over one
chunk's frames, with the trainer's own methods on seeded random features of the config's shape (the search features of
``track.instance_size`` crops), forward only and, for the parts a gradient flows through, forward and backward; the
whole step and its forward pass are timed too.  Gradients do not flow through the windows or g: the candidate comes
from the data at a position chosen by an argmax.

Profiles are measured in turn, repeat after repeat (every profile's every part once per round), so a change of load
on a shared machine touches all of them alike; the figures are medians over the rounds.
"""
import time

import numpy as np
import tensorflow as tf

from tf_lu.models.crop_sizes import feature_sides
from tf_lu.training.distribute import precision_policy
from tf_lu.training.meta import build_meta_trainer, head_for_features

STEP, FORWARD = "whole step (forward, backward, optimiser)", "forward pass of the step"


class MetaStepProfile:
    """The compiled parts of one config's meta-training step on a seeded random chunk (see the module docstring)."""

    def __init__(self, config, network, label, fast_gradient=True, precision="float32", seed=0):
        self.label, self.config = label, config
        track = config.track
        size = feature_sides(network.backbone, track.exemplar_size, track.instance_size, "track")[1]
        channels = int(network.backbone.compute_output_shape((1, track.instance_size, track.instance_size, 3))[-1])
        with precision_policy(precision):
            self.trainer = build_meta_trainer(config, *head_for_features(config, network, size, channels, label),
                                              fast_gradient=fast_gradient)
        self.kind = config.backbone.kind
        batch, unroll = self.trainer.batch, config.meta.unroll
        rng = np.random.default_rng(seed)
        self.features = tf.constant(rng.normal(size=(batch, unroll, size, size, channels)).astype(np.float32))
        self.chunk = (self.features, tf.zeros((batch, unroll), tf.bool), tf.zeros((batch, unroll, 2)),
                      tf.constant(True))
        self.shape = {"batch": batch, "unroll": unroll, "features": [size, size, channels],
                      "template": self.trainer.m, "hidden": config.updater.learned.hidden,
                      "layers": config.updater.learned.layers}
        self.parts = self._parts()

    def _frames(self):
        return [self.features[:, k] for k in range(self.config.meta.unroll)]

    def _parts(self):
        trainer, frames = self.trainer, self._frames()
        cells = tf.zeros((trainer.batch, 2), tf.int32)
        windows = [trainer.candidate_window(frame, cells) for frame in frames]
        candidates = [trainer.head.g(window) for window in windows]
        theta_1 = candidates[0]
        g_name = "g: CF solve" if self.kind == "cfnet" else "g (identity)"
        parts = {STEP: (lambda: trainer.train_step(self.chunk)), FORWARD: self._forward,
                 "feature windows": lambda: [trainer.candidate_window(f, cells) for f in frames],
                 g_name: lambda: [trainer.head.g(w) for w in windows],
                 "recurrent updater": lambda: self._network(candidates, theta_1, False),
                 "recurrent updater, forward and backward": lambda: self._network(candidates, theta_1, True),
                 "response and loss": lambda: self._responses(frames, theta_1, False),
                 "response and loss, forward and backward": lambda: self._responses(frames, theta_1, True)}
        return {name: tf.function(fn) for name, fn in parts.items()}

    def _forward(self):
        features, absent, offsets, reset = self.chunk
        return self.trainer.unroll(features, absent, reset, training=True, offsets=offsets)[0].loss

    def _network(self, candidates, theta_1, backward):
        net = self.trainer.net
        hidden = net.zero_states(self.trainer.batch, self.trainer.m)
        with tf.GradientTape() as tape:
            total = tf.constant(0.0)
            for candidate in candidates:
                theta, hidden = net(candidate, hidden, theta_1, training=True)
                total += tf.reduce_mean(tf.square(tf.cast(theta, tf.float32)))
        return tape.gradient(total, net.trainable_variables) if backward else total

    def _responses(self, frames, theta_1, backward):
        trainer = self.trainer
        theta = theta_1 * 1.01
        labels = tf.broadcast_to(trainer.labels, (trainer.batch,) + tuple(trainer.labels.shape[1:]))
        target = tf.zeros((trainer.batch, 2))
        with tf.GradientTape() as tape:
            tape.watch(theta)
            total = tf.constant(0.0)
            for frame in frames:
                scores = trainer.score(theta, theta_1, trainer.net.unit(theta_1), frame, labels, target)
                total += tf.reduce_sum(scores.cls + scores.anchor + scores.cls_none + scores.peak_error
                                       + scores.peak_error_none)
        return tape.gradient(total, theta) if backward else total

    def time_part(self, name):
        """``(wall seconds, process CPU seconds)`` of one call of part ``name``, its results read back to the host."""
        start, cpu = time.perf_counter(), time.process_time()
        tf.nest.map_structure(lambda value: np.asarray(value), self.parts[name]())
        return time.perf_counter() - start, time.process_time() - cpu


def profile_meta_steps(profiles, repeats=5, report=None):
    """``{label: {"shape", "ms": {part: median wall ms}, "cpu_ms": {part: median CPU ms}}}`` of
    :class:`MetaStepProfile` s measured in turn (see the module docstring); each part is called once untimed first
    (tracing).  CPU time is the process's on all cores: on a machine shared with other work it is steadier than
    wall time, which waits for the cores."""
    for profile in profiles:
        for name in profile.parts:
            profile.time_part(name)
    seconds = {profile.label: {name: [] for name in profile.parts} for profile in profiles}
    for round_index in range(repeats):
        for profile in profiles:
            for name in profile.parts:
                seconds[profile.label][name].append(profile.time_part(name))
        if report:
            report(round_index + 1, repeats)
    median = lambda values, k: 1e3 * float(np.median([v[k] for v in values]))
    return {profile.label: {"shape": profile.shape,
                            "ms": {name: median(values, 0) for name, values in seconds[profile.label].items()},
                            "cpu_ms": {name: median(values, 1) for name, values in seconds[profile.label].items()}}
            for profile in profiles}


def profile_table(results, key="ms"):
    """Markdown: one column per profile, one row per part (median ms of ``key``: "ms" wall, "cpu_ms" CPU), the
    backward pass and optimiser as the step less its forward pass, and each profile's step against the first
    profile's."""
    labels = list(results)
    parts = list(dict.fromkeys(name for label in labels for name in results[label][key]))
    what = "wall" if key == "ms" else "CPU"
    lines = [f"| part ({what} ms, median) | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(labels)]
    for name in parts:
        cells = [f"{results[label][key][name]:.1f}" if name in results[label][key] else "-" for label in labels]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    backward = [results[label][key][STEP] - results[label][key][FORWARD] for label in labels]
    lines.append("| backward pass and optimiser (step - forward) | " + " | ".join(f"{b:.1f}" for b in backward) + " |")
    first = results[labels[0]][key][STEP]
    lines.append(f"| step speed vs {labels[0]} | " + " | ".join(
        f"{first / results[label][key][STEP]:.2f}x" for label in labels) + " |")
    return "\n".join(lines)
