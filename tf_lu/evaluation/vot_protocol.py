"""VOT's supervised experiments: run a tracker with re-initialisation after each failure, in two timings.

* :func:`run_supervised` (VOT "baseline"): the tracker sees every frame and is waited for.  When its box no longer
  overlaps the ground truth (pixel overlap 0 inside the image, :func:`tf_lu.geometry.raster.raster_overlap`, as the
  VOT toolkit judges it), that frame is a failure; the tracker is re-initialised :data:`SKIP_AFTER_FAILURE` frames
  later (on the next frame with a target from there), and the frames in between are skipped.
* :func:`run_realtime` (VOT "realtime"): frames arrive at ``fps`` frames per second of wall time from each
  (re-)initialisation on; the tracker is timed on each frame it handles.  Whenever it is free it takes the newest
  frame that has arrived (or waits for the next one); frames that arrive while it is busy are never shown to it.
  The answer for a frame is the last box the tracker had reported before the next frame arrived, so a tracker
  slower than ``1 / fps`` keeps its previous box on those frames (the initial box until its first answer), and
  failures are judged on those answers.  The time of ``init`` counts too.  Python's vot-toolkit approximates the
  same rule frame by frame (with a grace period); this is the exact event order.

Both return a :class:`VotRun`: the trajectory (:mod:`tf_lu.evaluation.eao` codes or boxes) and the seconds of each
tracker call.  ``clock`` (default :func:`time.perf_counter`) is what the calls are timed with; tests inject a
scripted one.  Trackers are initialised with the axis-aligned bounding box of the ground-truth region.
"""
import dataclasses
import math
import time

import numpy as np

from tf_lu.data.vot_sequences import frame_size, sequence_regions
from tf_lu.evaluation.eao import FAILURE, INIT, SKIPPED
from tf_lu.geometry.raster import raster_overlap

SKIP_AFTER_FAILURE = 5
REALTIME_FPS = 20.0


@dataclasses.dataclass
class VotRun:
    """One supervised run over a sequence: ``trajectory`` (one entry per frame: a code or a box ``(4,)``) and
    ``times`` (seconds of the init/update call on each frame, 0 where the tracker was not called)."""
    trajectory: list
    times: np.ndarray

    @property
    def calls(self):
        return int(np.count_nonzero(self.times))


def is_failure(box, region, bounds):
    """True when ``box`` no longer overlaps the ground-truth ``region`` (a non-finite box always fails; a frame
    without a target never does)."""
    box = np.asarray(box, dtype=np.float64).reshape(-1)
    if box.shape != (4,) or not np.all(np.isfinite(box)):
        return True
    overlap = raster_overlap(box, region, bounds)
    return bool(np.isfinite(overlap) and overlap <= 0.0)


def _next_start(regions, index):
    """The first frame at or after ``index`` with a target, or ``None``."""
    return next((i for i in range(index, len(regions)) if np.all(np.isfinite(regions[i]))), None)


class _Waited:
    """Frames handed to the tracker one by one, each waited for (the baseline experiment)."""

    def __init__(self, tracker, sequence, clock):
        self.tracker, self.sequence, self.clock = tracker, sequence, clock
        self.times = np.zeros(len(sequence))

    def start(self, index):
        image = self.sequence.frame(index)
        begin = self.clock()
        self.tracker.init(image, self.sequence.boxes[index])
        self.times[index] = self.clock() - begin

    def _update(self, index):
        image = self.sequence.frame(index)
        begin = self.clock()
        box = self.tracker.update(image)
        self.times[index] = self.clock() - begin
        return np.asarray(box, dtype=np.float64).reshape(-1)

    def answer(self, index):
        return self._update(index)


class _Realtime(_Waited):
    """Frames arriving at ``fps`` from each (re-)initialisation; the answer is the last box reported in time.

    Times are relative to the arrival of the init frame; frame ``origin + j`` arrives at ``j / fps`` and must be
    answered before ``(j + 1) / fps``."""

    def __init__(self, tracker, sequence, clock, fps):
        super().__init__(tracker, sequence, clock)
        self.interval = 1.0 / float(fps)

    def start(self, index):
        super().start(index)
        self.origin, self.free_at, self.last_taken = index, float(self.times[index]), 0
        self.reported, self.pending = np.asarray(self.sequence.boxes[index], dtype=np.float64).copy(), None

    def answer(self, index):
        deadline = (index - self.origin + 1) * self.interval
        while True:
            if self.pending is not None and self.pending[0] <= deadline:
                self.reported, self.pending = self.pending[1], None
            if self.pending is not None:
                break  # still busy when the next frame arrives
            begin = max(self.free_at, (self.last_taken + 1) * self.interval)
            if begin >= deadline:
                break  # free, but the next frame to take has not arrived before the deadline
            self.last_taken = max(self.last_taken + 1, int(math.floor(begin / self.interval + 1e-9)))
            box = self._update(self.origin + self.last_taken)
            self.free_at = begin + float(self.times[self.origin + self.last_taken])
            self.pending = (self.free_at, box)
        return self.reported.copy()


def _supervise(session, sequence, skip, bar):
    """The supervision loop shared by both timings; returns the trajectory."""
    regions, bounds = sequence_regions(sequence), frame_size(sequence)
    trajectory = [SKIPPED] * len(sequence)
    start = _next_start(regions, 0)
    for index in range(len(sequence)):
        if start is not None and index == start:
            session.start(index)
            trajectory[index] = INIT
        elif start is not None and index > start:
            box = session.answer(index)
            if is_failure(box, regions[index], bounds):
                trajectory[index] = FAILURE
                start = _next_start(regions, index + skip)
            else:
                trajectory[index] = box
        if bar is not None:
            bar.update(1)
    return trajectory


def run_supervised(tracker, sequence, clock=time.perf_counter, skip=SKIP_AFTER_FAILURE, bar=None):
    """VOT's baseline experiment on one sequence (see the module doc); ``bar`` (tqdm) advances one per frame."""
    session = _Waited(tracker, sequence, clock)
    return VotRun(_supervise(session, sequence, skip, bar), session.times)


def run_realtime(tracker, sequence, clock=time.perf_counter, fps=REALTIME_FPS, skip=SKIP_AFTER_FAILURE, bar=None):
    """VOT's realtime experiment on one sequence: frames arrive at ``fps`` (see the module doc)."""
    session = _Realtime(tracker, sequence, clock, fps)
    return VotRun(_supervise(session, sequence, skip, bar), session.times)
