"""Resident memory of a tracker over a long generated sequence: does it stay flat with sequence length?

A short procedural sequence (:mod:`tf_lu.data.synthetic`) is played forwards then backwards, over and over, so the
target keeps moving smoothly for as many frames as asked without rendering them all.  The tracker is initialised
once on the first frame and updated on every later one; the process's resident set size is read (after a garbage
collection) at each checkpoint frame count.

    tf-lu memory --tracker siamfc-sgd --frames 1000,10000
"""
import gc
import os
import resource
import time

import numpy as np

from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError


def resident_mib():
    """This process's resident set size in MiB (``/proc/self/statm``; the peak from ``getrusage`` elsewhere)."""
    try:
        with open("/proc/self/statm", "r", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2 ** 20
    except (OSError, ValueError, IndexError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def ping_pong(count, length):
    """Frame indices ``0, 1, ..., length-1, length-2, ..., 1, 0, 1, ...`` (``count`` of them)."""
    if length < 2:
        return np.zeros(count, dtype=int)
    period = 2 * (length - 1)
    phase = np.arange(count) % period
    return np.where(phase < length, phase, period - phase)


def measure_memory(tracker, checkpoints, loop_frames=120, seed=0, size=(240, 320), report=None):
    """Track ``max(checkpoints)`` frames with ``tracker``; returns ``{"frames": [...], "rss_mib": [...],
    "seconds": [...]}`` with one entry per checkpoint (RSS after that many frames, the first frame included).
    ``report(frames, rss_mib, seconds)`` is called at each checkpoint as it is reached."""
    checkpoints = sorted(set(int(c) for c in checkpoints))
    if not checkpoints or checkpoints[0] < 1:
        raise TfLuError(f"frame counts must be positive, got {checkpoints}")
    config = SyntheticConfig(num_frames=loop_frames, height=size[0], width=size[1])
    sequence = generate_sequence(seed, config, name="memory-loop")
    order = ping_pong(checkpoints[-1], len(sequence))
    frames = [sequence.frame(i) for i in range(len(sequence))]
    result = {"frames": [], "rss_mib": [], "seconds": []}
    start = time.time()
    for count, index in enumerate(order, start=1):
        if count == 1:
            tracker.init(frames[index], sequence.init_box)
        else:
            tracker.update(frames[index])
        if count in checkpoints:
            gc.collect()
            result["frames"].append(count)
            result["rss_mib"].append(round(resident_mib(), 1))
            result["seconds"].append(round(time.time() - start, 1))
            if report is not None:
                report(count, result["rss_mib"][-1], result["seconds"][-1])
    return result
