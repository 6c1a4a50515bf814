"""Many streams per call: a tracker's sequences tracked B at a time by one graph call per frame
(:class:`tf_lu.tracking.streams.StreamBatch`); when a sequence ends, the next one takes its place.

The benchmark runner uses it with ``--batch-streams`` (:func:`tf_lu.evaluation.benchmark.run_benchmark`, OTB).  Each
call's seconds are shared equally among the streams it advanced, so a tracker's fps in the summary is the aggregate
frames per second of the batch (frame decoding excluded, padding the frames to a common size included).
"""
import dataclasses
import time
from typing import Any, List

import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.tracking.streams import StreamBatch


@dataclasses.dataclass
class _Run:
    sequence: Any
    index: int = 1
    boxes: List[Any] = dataclasses.field(default_factory=list)
    times: List[float] = dataclasses.field(default_factory=list)


def _start(batch, active, pending, streams, bar):
    """Fill free slots with the next sequences: one ``init`` call on their first frames."""
    new = []
    while pending and len(active) + len(new) < streams:
        new.append(_Run(pending.pop(0)))
    if not new:
        return
    images = [run.sequence.frame(0) for run in new]
    start = time.perf_counter()
    batch.add(images, [run.sequence.init_box for run in new])
    share = (time.perf_counter() - start) / len(new)
    for run in new:
        run.boxes.append(np.asarray(run.sequence.init_box, dtype=np.float64))
        run.times.append(share)
    active.extend(new)
    if bar is not None:
        bar.update(len(new))


def _advance(batch, active, bar):
    """One step call for every active stream."""
    images = [run.sequence.frame(run.index) for run in active]
    start = time.perf_counter()
    boxes, _ = batch.step(images)
    share = (time.perf_counter() - start) / len(active)
    for run, box in zip(active, boxes):
        run.boxes.append(box)
        run.times.append(share)
        run.index += 1
    if bar is not None:
        bar.update(len(active))


def _finish(batch, active, done):
    """Move ended runs into ``done``; returns the runs still active."""
    keep = [k for k, run in enumerate(active) if run.index < len(run.sequence)]
    for run in active:
        if run.index >= len(run.sequence):
            done[run.sequence.name] = (np.array(run.boxes, dtype=np.float64), run.times)
    if len(keep) < len(active):
        batch.keep(keep)
    return [active[k] for k in keep]


def track_streams(tracker, sequences, streams, bar=None):
    """``{sequence name: (boxes (N, 4), seconds per frame)}``: every sequence tracked with ``streams`` at a time."""
    if streams < 1:
        raise TfLuError(f"the number of streams must be at least 1, got {streams}")
    batch, pending, active, done = StreamBatch(tracker.graph), list(sequences), [], {}
    while pending or active:
        _start(batch, active, pending, streams, bar)
        active = _finish(batch, active, done)
        if active:
            _advance(batch, active, bar)
            active = _finish(batch, active, done)
    return done
