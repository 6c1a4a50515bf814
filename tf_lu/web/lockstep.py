"""Several trackers advanced together, frame by frame, each through the one tracking loop
(:func:`tf_lu.tracking.loop.track_frames`).

Every tracker gets its own copy of the frame stream (decoded once, handed to each), so its boxes are those it gives
when tracked alone (``tf-lu track``); its time is the time of its own ``init`` / ``update`` calls.
"""
import itertools

from tf_lu.tracking.loop import track_frames


def track_together(trackers, frames, init_box):
    """Yield ``(index, frame, boxes, seconds)`` per frame of ``frames``: one 0-based box and the seconds of its call
    for each tracker, in order.  Frame 0 initialises every tracker with ``init_box``.  Stopping early is closing
    (or simply leaving) the generator."""
    streams = itertools.tee(frames, len(trackers))
    runs = [track_frames(tracker, stream, init_box) for tracker, stream in zip(trackers, streams)]
    while True:
        try:
            steps = [next(run) for run in runs]
        except StopIteration:
            return
        index, frame = steps[0][0], steps[0][1]
        yield index, frame, [step[2] for step in steps], [step[3] for step in steps]
