"""The sequence stage: which frame windows a track gives (:func:`plan_sequences`, the rule of the package docstring),
their crop sequences as sequence records (:mod:`tf_lu.data.records.sequences`), and one open record file per bucket
length while a chunk is curated (:class:`BucketWriters`)."""
import math
import os

import numpy as np
import tensorflow as tf

from tf_lu.data.curation.tracks import sub_sequence, usable_frames
from tf_lu.data.pairs import crop_track_from_sequence
from tf_lu.data.records.common import sequence_file_name
from tf_lu.data.records.sequences import sequence_example
from tf_lu.errors import TfLuError


def plan_sequences(start_ok, rng, unroll=25, max_length=150, max_interval=2):
    """Frame-index windows for the sequence records of one track (the rule of the package docstring).

    ``start_ok[i]`` says whether a sequence may start at frame ``i``.  Returns ``(indices, bucket, action)`` with
    ``action`` one of ``exact``, ``padded``, ``truncated`` or ``dropped`` (``indices`` None when dropped)."""
    start_ok = np.asarray(start_ok, dtype=bool)
    interval = int(rng.integers(1, max_interval + 1))
    sampled = np.arange(0, len(start_ok), interval)
    plans = []
    for begin in range(0, len(sampled), max_length):
        window = sampled[begin:begin + max_length]
        ok = np.flatnonzero(start_ok[window])
        if not len(ok) or len(window) - ok[0] < 2:
            plans.append((None, 0, "dropped"))
            continue
        window = window[ok[0]:]
        n = len(window)
        bucket = int(math.ceil(n / unroll)) * unroll
        missing = bucket - n
        if missing == 0:
            plans.append((window, bucket, "exact"))
        elif rng.random() < missing / unroll:
            if bucket - unroll >= unroll:
                plans.append((window[:bucket - unroll], bucket - unroll, "truncated"))
            else:
                plans.append((None, 0, "dropped"))
        else:
            plans.append((window[np.round(np.linspace(0, n - 1, bucket)).astype(int)], bucket, "padded"))
    return plans


def track_sequences(track, rng, settings):
    """Yield ``(bucket, action, serialized SequenceExample or None)`` for one track."""
    plans = plan_sequences(usable_frames(track, settings), rng, settings.unroll, settings.max_length,
                           settings.max_interval)
    for number, (indices, bucket, action) in enumerate(plans):
        if indices is None:
            yield bucket, action, None
            continue
        unique, inverse = np.unique(indices, return_inverse=True)
        crop_track = crop_track_from_sequence(sub_sequence(track, unique))
        if len(crop_track.crops) != len(unique):      # cannot happen: the window starts on a visible frame
            raise TfLuError(f"{track.name}: internal error, {len(crop_track.crops)} crops for {len(unique)} frames")
        crops = [crop_track.crops[u] for u in inverse]
        name = f"{getattr(track, 'dataset', '')}/{track.name}#{number}"
        yield bucket, action, sequence_example(name, crops, crop_track.boxes[inverse])


class BucketWriters:
    """One sequence-record file per bucket length for chunk ``chunk`` of a curation, written under a ``.tmp`` name;
    :meth:`close` renames the finished files, :meth:`abort` removes what is left after a failure."""

    def __init__(self, out, chunk):
        self.out, self.chunk, self.writers = out, chunk, {}

    def write(self, bucket, record):
        if bucket not in self.writers:
            path = os.path.join(self.out, sequence_file_name(bucket, self.chunk))
            self.writers[bucket] = (tf.io.TFRecordWriter(path + ".tmp"), path)
        self.writers[bucket][0].write(record)

    def close(self):
        """Finish every file; returns ``{file name: bytes}`` in bucket order."""
        files = {}
        for bucket in sorted(self.writers):
            writer, path = self.writers.pop(bucket)
            writer.close()
            os.replace(path + ".tmp", path)
            files[os.path.basename(path)] = os.path.getsize(path)
        return files

    def abort(self):
        for writer, path in self.writers.values():
            writer.close()
            if os.path.exists(path + ".tmp"):
                os.remove(path + ".tmp")
        self.writers = {}
