"""One chunk of videos through the stages: the unit of work of a curation, run in-process or in a worker process.

Chunk ``c`` writes pair shard ``c`` and one sequence file per bucket with shard number ``c`` (so every worker owns its
files), then a marker per stage (:func:`~tf_lu.data.curation.settings.marker_path`) with what it wrote and counted.
Its random draws depend only on ``(seed, chunk)``.
"""
import os

import numpy as np

from tf_lu.data.curation.pair_stage import track_pair_examples, write_pair_shard
from tf_lu.data.curation.sequence_stage import BucketWriters, track_sequences
from tf_lu.data.curation.settings import CurateSettings, marker_path
from tf_lu.data.curation.tracks import filter_reason, trim_track
from tf_lu.data.datasets import get_reader
from tf_lu.data.records.common import pair_shard_name, write_json
from tf_lu.errors import TfLuError


class ChunkLog:
    """What a chunk saw: tracks kept and filtered (with reasons), errors, pair and sequence counts."""

    def __init__(self, videos, skip_errors):
        self.skip_errors = skip_errors
        self.tracks = {"videos": videos, "seen": 0, "kept": 0, "frames": 0, "filtered": {}, "filtered_tracks": [],
                       "errors": []}
        self.pairs = {"tracks_without_pairs": 0}
        self.sequences = {"count": 0, "frames": 0, "buckets": {}, "windows": {}}

    def error(self, name, exc):
        """Record a corrupt video or track (``skip_errors``), or raise ``exc``."""
        if not self.skip_errors:
            raise exc
        self.tracks["errors"].append(f"{name}: {exc}")

    def filtered(self, name, reason):
        self.tracks["filtered"][reason] = self.tracks["filtered"].get(reason, 0) + 1
        self.tracks["filtered_tracks"].append([name, reason])

    def kept(self, track, with_pairs, pair_count):
        self.tracks["kept"] += 1
        self.tracks["frames"] += len(track)
        if with_pairs and not pair_count:
            self.pairs["tracks_without_pairs"] += 1

    def window(self, bucket, action, written):
        stats = self.sequences
        stats["windows"][action] = stats["windows"].get(action, 0) + 1
        if written:
            stats["count"] += 1
            stats["frames"] += bucket
            stats["buckets"][str(bucket)] = stats["buckets"].get(str(bucket), 0) + 1


def _video_tracks(reader, video, log):
    try:
        return reader.tracks(video)
    except TfLuError as exc:
        log.error(video.name, exc)
        return []


def _curate_track(track, settings, stages, rngs, log, pairs, buckets):
    """Filter one track, then add its pair examples to ``pairs`` and its sequence records to ``buckets``."""
    log.tracks["seen"] += 1
    track = trim_track(track)
    reason = filter_reason(track, settings)
    if reason:
        log.filtered(track.name, reason)
        return
    try:
        track_pairs = track_pair_examples(track, rngs[0], settings) if "pairs" in stages else []
        track_windows = list(track_sequences(track, rngs[1], settings)) if "sequences" in stages else []
    except TfLuError as exc:
        log.error(track.name, exc)
        return
    log.kept(track, "pairs" in stages, len(track_pairs))
    pairs += track_pairs
    for bucket, action, record in track_windows:
        log.window(bucket, action, record is not None)
        if record is not None:
            buckets.write(bucket, record)


def _markers(settings, task, log, pairs, pair_rng, buckets):
    """Write the chunk's pair shard and finish its sequence files; returns the markers of its stages."""
    chunk, out, markers = task["chunk"], settings.out, {}
    if "pairs" in task["stages"]:
        path = os.path.join(out, pair_shard_name(chunk, task["chunks"]))
        write_pair_shard(path, pairs, pair_rng)
        markers["pairs"] = {"chunk": chunk, "tracks": log.tracks, "count": len(pairs), **log.pairs,
                            "files": {os.path.basename(path): os.path.getsize(path)}}
    if "sequences" in task["stages"]:
        files = buckets.close()
        markers["sequences"] = {"chunk": chunk, "tracks": log.tracks, **log.sequences, "files": files}
    return markers


def run_chunk(task, report=None):
    """Curate one chunk of videos for the given stages; writes its shards and markers, returns the markers.

    ``task``: ``settings`` (a dict of :class:`CurateSettings`), ``chunk``, ``chunks``, ``stages``, ``videos``.
    ``report(1)`` is called after each video (progress)."""
    settings = CurateSettings(**task["settings"])
    reader = get_reader(settings.dataset)
    rngs = (np.random.default_rng([settings.seed, task["chunk"], 0]),
            np.random.default_rng([settings.seed, task["chunk"], 1]))
    log = ChunkLog(len(task["videos"]), settings.skip_errors)
    pairs, buckets = [], BucketWriters(settings.out, task["chunk"])
    try:
        for video in task["videos"]:
            for track in _video_tracks(reader, video, log):
                _curate_track(track, settings, task["stages"], rngs, log, pairs, buckets)
            if report is not None:
                report(1)
        markers = _markers(settings, task, log, pairs, rngs[0], buckets)
        for stage, marker in markers.items():
            write_json(marker_path(settings.out, stage, task["chunk"]), marker)
        return markers
    finally:
        buckets.abort()   # only has files left after a failure
