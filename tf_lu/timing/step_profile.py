"""What each part of one tracking step costs (a benchmark, not a test): ``tf-lu time step``.

The tracker is initialised on a frame and tracks a few frames; then every part of its step runs on that step's own
inputs, each part as its own compiled TensorFlow function, in turn, round after round (a change of load on a shared
machine touches all parts alike), and the median of each part is reported beside the whole ``tracker.update`` call:

* host: the frame handed to TensorFlow (:func:`tf_lu.tracking.streams.stack_frames`);
* crops: the search pyramid cut from the frame (mean padding, bilinear resampling);
* exemplar: the template from an exemplar crop (crop and features; per frame only for updaters that ask for it);
* search features: the extractor on one scale, and on every scale in one batch (what the step runs);
* correlation: the template scored over the search features (the head's response);
* upsampling: the responses resized bicubically to the fine grid;
* peak and penalties: scale penalties, best scale, cosine window, peak, the box's move and damping;
* updater: the update method's graph step (the learned updater: the kept window's filter, or the window itself, and one
  ConvGRU step, which the step runs at the start of the next frame, beside its crops and features);
* after the extractor: correlation to box (and the updater where it needs no new crop and is not deferred) as the
  step runs them;
* graph step: the whole step as the tracker calls it; Python and host work: ``tracker.update`` minus the graph step.

The parts run on whatever runtime the tracker's config names (its extractor is what the step calls), so the same
table compares runtimes.  The parts do not add up exactly to the graph step: inside one graph, TensorFlow overlaps
and fuses some work, and each separate call has its own small overhead.
"""
import os
import time

import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.tracking.step import updater_entries
from tf_lu.tracking.streams import stack_frames


def _compiled(function, *args):
    """A zero-argument call of ``tf.function(function)`` on ``args`` (passed as arguments, not captured)."""
    compiled = tf.function(function)
    return lambda: compiled(*args)


def _functions(tracker, image, state):
    """``{part: zero-argument callable}`` on the inputs of the step that follows ``state`` on ``image``."""
    graph = tracker.graph
    frames, sizes = stack_frames([image])
    count = len(graph.scales)
    crop = _compiled(graph._crops, frames, sizes, state)
    extract = tf.function(lambda images: graph.backbone(images, training=False))
    crops = crop()
    features = extract(crops)
    respond = _compiled(lambda template, found: graph.head.respond(tf.repeat(template, count, axis=0), found),
                        state["template"], features)
    raw = respond()
    upsample = _compiled(graph._upsample, raw)
    upsampled = tf.reshape(upsample(), [1, count, graph.upscale, graph.upscale])

    def peak(upsampled, sizes, state):
        best, position = graph._peak(upsampled)
        return graph._move(state, sizes, best, position)

    return {
        "host: frame to tensor": lambda: stack_frames([image]),
        "crops: search pyramid": crop,
        "exemplar: crop and features": _compiled(
            lambda frames, sizes, state: graph._templates(frames, sizes, state["center_box"], state["sides"][:, 0]),
            frames, sizes, state),
        "search features: one scale": lambda: extract(crops[:1]),
        f"search features: {count} scales in one batch": lambda: extract(crops),
        "correlation": respond,
        "upsampling": upsample,
        "peak and penalties": _compiled(peak, upsampled, sizes, state),
        "updater": _updater_function(graph, frames, sizes, state, features),
        "after the extractor, as the step runs it": _compiled(graph._locate, features, sizes, state),
        "graph step": lambda: graph.step(frames, sizes, state)["box"].numpy(),
        "tracker.update": lambda: tracker.update(image),
    }


def _updater_function(graph, frames, sizes, state, features):
    """The updater's graph step on this step's evidence, as the step runs it (XLA-compiled where the updater's is)."""
    found = {key: value for key, value in graph._locate(features, sizes, state).items()
             if key not in ("template", "updater")}

    def step(frames, sizes, state, found):
        candidate = lambda: graph._templates(frames, sizes, found["center_box"], found["sides"][:, 0])
        if graph.updater.uses_candidate:
            return graph._update(state, found, candidate)
        return graph._update_fn(state, found, None)

    if graph.deferred:      # the step it runs at the start of the next frame, beside that frame's features
        return _compiled(graph._advance_fn, updater_entries(graph.step(frames, sizes, state)["state"]))
    return _compiled(step, frames, sizes, state, found)


def profile_steps(trackers, frames, box, repeats=50):
    """``{tracker: {part: median ms}}`` of every tracker's :func:`_functions`, each tracker having tracked ``frames``
    from ``box`` (the step's inputs are those of the last frame); all parts of all trackers run in turn, ``repeats``
    rounds, so a change of load touches every part alike."""
    if repeats < 1:
        raise TfLuError(f"repeats must be at least 1, got {repeats}")
    if len(frames) < 2:
        raise TfLuError("the step profile needs at least 2 frames")
    functions = {}
    for name, tracker in trackers.items():
        tracker.init(frames[0], box)
        for image in frames[1:-1]:
            tracker.update(image)
        functions[name] = _functions(tracker, frames[-1], tracker.state)
        for function in functions[name].values():
            function()
    seconds = {name: {part: [] for part in parts} for name, parts in functions.items()}
    for _ in range(repeats):
        for name, parts in functions.items():
            for part, function in parts.items():
                start = time.perf_counter()
                function()
                seconds[name][part].append(time.perf_counter() - start)
    medians = {}
    for name, parts in seconds.items():
        medians[name] = {part: 1e3 * float(np.median(values)) for part, values in parts.items()}
        medians[name]["Python and host work"] = medians[name]["tracker.update"] - medians[name]["graph step"]
    return medians


def profile_step(tracker, frames, box, repeats=50):
    """``{part: median ms}`` of one tracker (:func:`profile_steps`)."""
    return profile_steps({"tracker": tracker}, frames, box, repeats)["tracker"]


def load_text():
    """``"load average 1.23 / 1.50 / 2.00 (1 / 5 / 15 min), N CPUs"``."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min), {os.cpu_count()} CPUs"


def profile_table(profiles):
    """Markdown: per part, each tracker's median ms and its share of that tracker's ``tracker.update``;
    ``profiles`` is ``{tracker: {part: ms}}`` (or one tracker's ``{part: ms}``)."""
    if all(isinstance(value, float) for value in profiles.values()):
        profiles = {"median": profiles}
    parts = list(dict.fromkeys(part for medians in profiles.values() for part in medians))
    lines = ["| part of the step | " + " | ".join(f"{name} ms | share" for name in profiles) + " |",
             "|---|" + "---:|---:|" * len(profiles)]
    for part in parts:
        cells = []
        for medians in profiles.values():
            value = medians.get(part)
            cells += ["-", "-"] if value is None else [f"{value:.2f}", f"{100 * value / medians['tracker.update']:.0f}%"]
        lines.append(f"| {part} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
