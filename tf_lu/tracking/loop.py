"""The one tracking loop: ``init`` on the first frame with the given box, ``update`` on every later frame.

The OTB benchmark (:func:`tf_lu.evaluation.otb.run_sequence`) and own-video tracking
(:func:`tf_lu.apps.track.track_sequence`) both run trackers through :func:`track_frames`; only what they do
with each box differs.  Frames are pulled from the iterable before the clock starts, so decoding is never timed.
"""
import time

import numpy as np


def as_box(box):
    """A tracker's answer as a float64 ``(4,)`` box; ``None`` or a malformed answer becomes a row of NaN."""
    box = np.asarray(box if box is not None else (np.nan,) * 4, dtype=np.float64).reshape(-1)
    return box if box.shape == (4,) else np.full(4, np.nan)


def timed_call(tracker, index, frame, init_box):
    """Frame ``index`` of a run: ``init`` with ``init_box`` on frame 0 (its box is ``init_box``), else ``update``.
    Returns ``(box, seconds)``, ``seconds`` the time of the tracker's call alone."""
    start = time.perf_counter()
    if index == 0:
        tracker.init(frame, init_box.copy())
        box = init_box
    else:
        box = tracker.update(frame)
    return as_box(box), time.perf_counter() - start


def track_frames(tracker, frames, init_box):
    """Yield ``(index, frame, box, seconds)`` for every frame of ``frames`` (RGB ``uint8`` images).

    Frame 0 initialises the tracker with ``init_box`` (0-based ``x, y, w, h``) and yields that box; ``seconds`` is
    the time of the ``init`` / ``update`` call alone.
    """
    init_box = np.asarray(init_box, dtype=np.float64).reshape(4)
    for index, frame in enumerate(frames):
        box, seconds = timed_call(tracker, index, frame, init_box)
        yield index, frame, box, seconds
