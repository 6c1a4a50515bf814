"""Per-frame time of trackers measured side by side (a benchmark, not a test).

The OTB benchmark's fps (:mod:`tf_lu.evaluation.otb`) is the product's speed number; this isolates what one tracker
costs over another per frame.  Every tracker updates on the same frame in turn, frame after frame, so a change of load
on a shared machine touches all of them alike.  The frame is seeded noise with a fixed box, and every tracker is
re-initialised every ``reinit_every`` frames so none wanders off the image for long.
"""
import time

import numpy as np

from tf_lu.errors import TfLuError


def time_frames(trackers, frames=400, reinit_every=50, warmup=10, size=(360, 480), box=(200, 150, 40, 50), seed=0):
    """``{name: {"mean_ms", "median_ms", "frames"}}`` of ``tracker.update`` calls, ``trackers`` a ``{name: tracker}``."""
    if not trackers:
        raise TfLuError("no trackers given")
    if frames < 1 or reinit_every < 1 or warmup < 0:
        raise TfLuError("frames and reinit_every must be at least 1, warmup at least 0")
    image = np.random.default_rng(seed).integers(0, 256, size=(size[0], size[1], 3), dtype=np.uint8)
    for tracker in trackers.values():          # traces and lazy loading stay out of the times
        tracker.init(image, box)
        for _ in range(warmup):
            tracker.update(image)
    seconds = {name: [] for name in trackers}
    for index in range(frames):
        for name, tracker in trackers.items():
            if index % reinit_every == 0:
                tracker.init(image, box)
            start = time.perf_counter()
            tracker.update(image)
            seconds[name].append(time.perf_counter() - start)
    return {name: {"mean_ms": 1e3 * float(np.mean(values)), "median_ms": 1e3 * float(np.median(values)),
                   "frames": len(values)} for name, values in seconds.items()}


def timing_table(timings):
    """Markdown: mean and median ms per frame, and each tracker's mean against the first tracker's."""
    names = list(timings)
    reference = timings[names[0]]["mean_ms"]
    lines = [f"| tracker | mean ms / frame | median ms / frame | mean - {names[0]} | speed vs {names[0]} |",
             "|---|---:|---:|---:|---:|"]
    for name in names:
        entry = timings[name]
        lines.append(f"| {name} | {entry['mean_ms']:.2f} | {entry['median_ms']:.2f} | "
                     f"{entry['mean_ms'] - reference:+.2f} | {reference / entry['mean_ms']:.2f}x |")
    return "\n".join(lines)
