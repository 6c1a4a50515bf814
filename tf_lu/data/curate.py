"""Curate a tracking dataset (any reader of :mod:`tf_lu.data.datasets`) into the TFRecords of both training stages.

``curate(CurateSettings(...))`` (or ``tools/curate.py``) writes into one output folder:

* **pair records** for the feature extractor, ``pairs-XXXXX-of-YYYYY.tfrecord`` (read by
  :func:`tf_lu.data.records.pair_dataset`): per kept track ``pairs_per_track`` pairs (at most the number of distinct
  ordered pairs) of two *usable* frames at most ``max_gap`` frames apart, cropped with the SiamFC curation
  (:func:`tf_lu.data.pairs.crop_track_from_sequence`, each frame centred on its own box) and serialized with
  :func:`tf_lu.data.records.pair_example` (exemplar = the 143 centre window of frame i, search = the 255 crop of frame j).
  The pairs of a shard are shuffled before writing.
* **sequence records** for the learned updater, ``seq-L{length:03d}-{shard:05d}.tfrecord`` (read by
  :func:`tf_lu.data.records.sequence_buckets` / :func:`tf_lu.data.records.parse_sequence`): target-centred crop sequences with
  boxes and absent flags, serialized with :func:`tf_lu.data.records.sequence_example`.
* ``manifest.json``: dataset, root folder name, split, settings and filters, tracks kept and filtered (with the
  reason of each filtered track), shard lists, counts and bytes.

**Sequence rule.**  Per track one frame interval ``k`` is drawn uniformly from ``1..max_interval`` and every k-th
frame is taken.  The sampled frames are cut into windows of ``max_length`` (so a long track gives several
sequences).  A window starts at its first usable frame (visible, box passing the filters) so the tracker always
starts on a real box.  A window of ``n`` frames whose length is not a multiple of ``unroll`` has bucket
``L = ceil(n / unroll) * unroll`` and ``m = L - n`` missing frames; with probability ``1 - m / unroll`` it is
lengthened to ``L`` by repeating frames evenly (``round(linspace(0, n - 1, L))``: short pauses), otherwise it is cut
down to ``L - unroll`` frames, or dropped when that would leave nothing (``n < unroll``).  So a window one frame
short of its bucket is almost always padded, and a track of 2 frames is dropped 92 % of the time (unroll 25).  Bucket
lengths are therefore the multiples of ``unroll`` up to ``max_length``.

**Filters** (per track, after trimming leading and trailing absent frames): a track is filtered as
``no_annotation`` (only a first box, e.g. a test split), ``too_few_visible`` (< 2 visible frames),
``mostly_absent`` (visible fraction < ``min_visible``), ``too_small`` (median ``min(w, h)`` of its visible boxes <
``min_size``), ``bad_aspect`` (median ``w / h`` outside ``aspect``), or ``too_few_usable`` (< 2 frames whose own box
passes the size and aspect filters).  Pairs are only drawn between usable frames.

**Parallel and resumable.**  The videos are split into chunks of ``videos_per_shard``; chunk ``c`` writes pair shard
``c`` and one sequence file per bucket with shard number ``c``, so every worker process (``multiprocessing``, spawn
start method) owns its own files.  Files are written under a ``.tmp`` name and renamed when complete, then a small
marker ``.curate/<stage>-<chunk>.json`` records what the chunk wrote; a rerun skips the chunks whose marker and files
exist, so a killed run resumes where it stopped.  Random draws depend only on ``(seed, chunk)``, so the result does
not depend on the number of workers.  Settings that change the content are kept in ``.curate/settings.json``; a
rerun with different ones is an error (use a new ``--out``).
"""
import dataclasses
import hashlib
import json
import math
import os
import shutil
import time
from typing import Optional, Tuple

import numpy as np

from tf_lu.data.datasets import Track, get_reader, list_videos
from tf_lu.errors import TfLuError

STAGES = ("pairs", "sequences")
STATE_DIR = ".curate"
FILTER_REASONS = ("no_annotation", "too_few_visible", "mostly_absent", "too_small", "bad_aspect", "too_few_usable")


@dataclasses.dataclass(frozen=True)
class CurateSettings:
    dataset: str
    root: str
    out: str
    stage: str = "both"                      # pairs | sequences | both
    split: Optional[str] = None
    workers: int = 1
    min_size: float = 8.0                    # pixels, min(w, h) of the box
    aspect: Tuple[float, float] = (0.1, 10.0)  # allowed w / h
    min_visible: float = 0.5                 # fraction of the track's frames with the target visible
    pairs_per_track: int = 20
    max_gap: int = 100                       # frames between the two frames of a pair
    unroll: int = 25                         # bucket lengths are multiples of this
    max_length: int = 150                    # sampled frames per sequence
    max_interval: int = 2                    # frame interval of the sampled sequences: 1..max_interval
    limit: Optional[int] = None              # first ``limit`` videos only
    videos_per_shard: int = 64
    seed: int = 0
    skip_errors: bool = False                # record a corrupt video in the manifest instead of stopping

    @property
    def stages(self):
        return STAGES if self.stage == "both" else (self.stage,)

    def validate(self):
        get_reader(self.dataset)
        checks = [
            (self.stage in STAGES + ("both",), f"--stage must be pairs, sequences or both, got {self.stage!r}"),
            (self.workers >= 1, "--workers must be at least 1"),
            (self.min_size >= 0, "--min-size must not be negative"),
            (len(self.aspect) == 2 and 0 < self.aspect[0] <= self.aspect[1],
             f"--aspect must be two numbers 0 < low <= high, got {self.aspect}"),
            (0 <= self.min_visible <= 1, "--min-visible must be between 0 and 1"),
            (self.pairs_per_track >= 1, "--pairs-per-track must be at least 1"),
            (self.max_gap >= 1, "--max-gap must be at least 1"),
            (self.unroll >= 1, "--unroll must be at least 1"),
            (self.max_length >= self.unroll and self.max_length % self.unroll == 0,
             f"--max-length ({self.max_length}) must be a multiple of --unroll ({self.unroll})"),
            (self.max_length <= 999, "--max-length must be at most 999 (file names hold 3 digits)"),
            (self.max_interval >= 1, "--max-interval must be at least 1"),
            (self.limit is None or self.limit >= 1, "--limit must be at least 1"),
            (self.videos_per_shard >= 1, "--videos-per-shard must be at least 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise TfLuError(message)
        return self

    def common(self):
        """What decides which tracks go in (the same for both stages)."""
        return {"dataset": self.dataset, "split": self.split, "root": os.path.basename(os.path.normpath(self.root)),
                "limit": self.limit, "videos_per_shard": self.videos_per_shard, "seed": self.seed,
                "min_size": self.min_size, "aspect": list(self.aspect), "min_visible": self.min_visible}

    def stage_settings(self, stage):
        if stage == "pairs":
            return {"pairs_per_track": self.pairs_per_track, "max_gap": self.max_gap}
        return {"unroll": self.unroll, "max_length": self.max_length, "max_interval": self.max_interval}


# --------------------------------------------------------------------------------------------------------- filters

def trim_track(track):
    """The track from its first to its last visible frame (unchanged when no frame is visible)."""
    visible = np.flatnonzero(~track.absent)
    if len(track.boxes) != len(track) or not len(visible) or (visible[0] == 0 and visible[-1] == len(track) - 1):
        return track
    a, b = visible[0], visible[-1] + 1
    return Track(name=track.name, frames=list(track.frames[a:b]), boxes=track.boxes[a:b], loader=track.loader,
                 absent=track.absent[a:b], dataset=getattr(track, "dataset", ""),
                 occluded=None if getattr(track, "occluded", None) is None else track.occluded[a:b])


def usable_frames(track, settings):
    """Visible frames whose own box passes the size and aspect filters."""
    boxes = track.boxes
    with np.errstate(invalid="ignore", divide="ignore"):
        small = np.minimum(boxes[:, 2], boxes[:, 3])
        aspect = boxes[:, 2] / boxes[:, 3]
        return (~track.absent & (small >= settings.min_size)
                & (aspect >= settings.aspect[0]) & (aspect <= settings.aspect[1]))


def filter_reason(track, settings):
    """Why a (trimmed) track is left out, or ``None`` to keep it (see the module docstring)."""
    if len(track.boxes) != len(track):
        return "no_annotation"
    visible = ~track.absent
    if visible.sum() < 2:
        return "too_few_visible"
    if visible.mean() < settings.min_visible:
        return "mostly_absent"
    boxes = track.boxes[visible]
    if np.median(np.minimum(boxes[:, 2], boxes[:, 3])) < settings.min_size:
        return "too_small"
    aspect = np.median(boxes[:, 2] / boxes[:, 3])
    if not settings.aspect[0] <= aspect <= settings.aspect[1]:
        return "bad_aspect"
    if usable_frames(track, settings).sum() < 2:
        return "too_few_usable"
    return None


# ----------------------------------------------------------------------------------------------------------- pairs

def _sub_sequence(track, indices):
    from tf_lu.data.sequences import Sequence
    return Sequence(name=track.name, frames=[track.frames[k] for k in indices], boxes=track.boxes[indices],
                    loader=track.loader)


def plan_pairs(usable, rng, pairs_per_track, max_gap):
    """``(i, j)`` frame pairs: ``i`` uniform over the usable frames that have a usable partner within ``max_gap``,
    ``j`` uniform over those partners."""
    usable = np.flatnonzero(usable) if usable.dtype == bool else np.asarray(usable)
    if len(usable) < 2:
        return []
    lo = np.searchsorted(usable, usable - max_gap, side="left")
    hi = np.searchsorted(usable, usable + max_gap, side="right")
    candidates = np.flatnonzero(hi - lo > 1)
    if not len(candidates):
        return []
    count = min(pairs_per_track, len(usable) * (len(usable) - 1))
    pairs = []
    for _ in range(count):
        c = candidates[rng.integers(len(candidates))]
        partners = np.concatenate([usable[lo[c]:c], usable[c + 1:hi[c]]])
        pairs.append((int(usable[c]), int(partners[rng.integers(len(partners))])))
    return pairs


def track_pair_examples(track, rng, settings):
    """Serialized pair examples of one track (cropping only the frames the pairs use)."""
    from tf_lu.data.pairs import EXEMPLAR_MARGIN, center_window, crop_track_from_sequence
    from tf_lu.data.records import pair_example
    pairs = plan_pairs(usable_frames(track, settings), rng, settings.pairs_per_track, settings.max_gap)
    if not pairs:
        return []
    needed = sorted({k for pair in pairs for k in pair})
    crops = crop_track_from_sequence(_sub_sequence(track, needed)).crops
    position = {k: p for p, k in enumerate(needed)}
    source = f"{getattr(track, 'dataset', '')}/{track.name}"
    return [pair_example(center_window(crops[position[i]], EXEMPLAR_MARGIN), crops[position[j]], source, 0)
            for i, j in pairs]


# ------------------------------------------------------------------------------------------------------- sequences

def plan_sequences(start_ok, rng, unroll=25, max_length=150, max_interval=2):
    """Frame-index windows for the sequence records of one track (the rule of the module docstring).

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
    from tf_lu.data.pairs import crop_track_from_sequence
    from tf_lu.data.records import sequence_example
    plans = plan_sequences(usable_frames(track, settings), rng, settings.unroll, settings.max_length,
                           settings.max_interval)
    for number, (indices, bucket, action) in enumerate(plans):
        if indices is None:
            yield bucket, action, None
            continue
        unique, inverse = np.unique(indices, return_inverse=True)
        crop_track = crop_track_from_sequence(_sub_sequence(track, unique))
        if len(crop_track.crops) != len(unique):      # cannot happen: the window starts on a visible frame
            raise TfLuError(f"{track.name}: internal error, {len(crop_track.crops)} crops for {len(unique)} frames")
        crops = [crop_track.crops[u] for u in inverse]
        name = f"{getattr(track, 'dataset', '')}/{track.name}#{number}"
        yield bucket, action, sequence_example(name, crops, crop_track.boxes[inverse])


# ------------------------------------------------------------------------------------------------------ the chunks

_PROGRESS = None   # callable(videos_done) in the process that runs a chunk


def _init_worker(queue):
    """Worker start-up (spawned process): quiet, single-threaded TF/OpenCV, progress through ``queue``."""
    global _PROGRESS
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    _PROGRESS = queue.put
    try:
        import cv2
        cv2.setNumThreads(1)
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except Exception:   # noqa: BLE001 -- thread settings are an optimisation only
        pass


def pair_shard_name(chunk, chunks):
    return f"pairs-{chunk:05d}-of-{chunks:05d}.tfrecord"


def marker_path(out, stage, chunk):
    return os.path.join(out, STATE_DIR, f"{stage}-{chunk:05d}.json")


def _write_json(path, data):
    with open(path + ".tmp", "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    os.replace(path + ".tmp", path)


def _read_json(path):
    with open(path, "r", encoding="utf-8") as handle:
        return json.load(handle)


def run_chunk(task):
    """Curate one chunk of videos for the given stages; writes its shards and markers, returns the markers."""
    settings = CurateSettings(**task["settings"])
    chunk, chunks, stages = task["chunk"], task["chunks"], task["stages"]
    videos = task["videos"]
    import tensorflow as tf
    from tf_lu.data.records import sequence_file_name
    reader = get_reader(settings.dataset)
    pair_rng = np.random.default_rng([settings.seed, chunk, 0])
    sequence_rng = np.random.default_rng([settings.seed, chunk, 1])
    tracks = {"videos": len(videos), "seen": 0, "kept": 0, "frames": 0, "filtered": {}, "filtered_tracks": [],
              "errors": []}
    pairs, pair_stats = [], {"tracks_without_pairs": 0}
    writers, sequence_stats = {}, {"count": 0, "frames": 0, "buckets": {}, "windows": {}}
    out = settings.out

    def error(name, exc):
        if not settings.skip_errors:
            raise exc
        tracks["errors"].append(f"{name}: {exc}")

    try:
        for video in videos:
            try:
                video_tracks = reader.tracks(video)
            except TfLuError as exc:
                error(video.name, exc)
                video_tracks = []
            for track in video_tracks:
                tracks["seen"] += 1
                track = trim_track(track)
                reason = filter_reason(track, settings)
                if reason:
                    tracks["filtered"][reason] = tracks["filtered"].get(reason, 0) + 1
                    tracks["filtered_tracks"].append([track.name, reason])
                    continue
                try:
                    track_pairs = track_pair_examples(track, pair_rng, settings) if "pairs" in stages else []
                    track_windows = list(track_sequences(track, sequence_rng, settings)) \
                        if "sequences" in stages else []
                except TfLuError as exc:
                    error(track.name, exc)
                    continue
                tracks["kept"] += 1
                tracks["frames"] += len(track)
                pairs += track_pairs
                if "pairs" in stages and not track_pairs:
                    pair_stats["tracks_without_pairs"] += 1
                for bucket, action, record in track_windows:
                    sequence_stats["windows"][action] = sequence_stats["windows"].get(action, 0) + 1
                    if record is None:
                        continue
                    if bucket not in writers:
                        path = os.path.join(out, sequence_file_name(bucket, chunk))
                        writers[bucket] = (tf.io.TFRecordWriter(path + ".tmp"), path)
                    writers[bucket][0].write(record)
                    sequence_stats["count"] += 1
                    sequence_stats["frames"] += bucket
                    key = str(bucket)
                    sequence_stats["buckets"][key] = sequence_stats["buckets"].get(key, 0) + 1
            if _PROGRESS is not None:
                _PROGRESS(1)
        markers = {}
        if "pairs" in stages:
            path = os.path.join(out, pair_shard_name(chunk, chunks))
            with tf.io.TFRecordWriter(path + ".tmp") as writer:
                for k in pair_rng.permutation(len(pairs)):
                    writer.write(pairs[k])
            os.replace(path + ".tmp", path)
            markers["pairs"] = {"chunk": chunk, "tracks": tracks, "count": len(pairs), **pair_stats,
                                "files": {os.path.basename(path): os.path.getsize(path)}}
        if "sequences" in stages:
            files = {}
            for bucket in sorted(writers):
                writer, path = writers.pop(bucket)
                writer.close()
                os.replace(path + ".tmp", path)
                files[os.path.basename(path)] = os.path.getsize(path)
            markers["sequences"] = {"chunk": chunk, "tracks": tracks, **sequence_stats, "files": files}
        for stage, marker in markers.items():
            _write_json(marker_path(out, stage, chunk), marker)
        return markers
    finally:
        for writer, path in writers.values():   # only left on failure
            writer.close()
            if os.path.exists(path + ".tmp"):
                os.remove(path + ".tmp")


# --------------------------------------------------------------------------------------------------------- estimate

def estimate_size(settings, videos, sample_videos=4, frames_per_track=2, max_crops=16):
    """Disk estimate from a sample of the videos: a few frames per kept track are cropped and JPEG-encoded."""
    from tf_lu.data.pairs import EXEMPLAR_MARGIN, center_window, crop_track_from_sequence
    from tf_lu.data.records import encode_jpeg
    reader = get_reader(settings.dataset)
    picks = sorted({int(round(k)) for k in np.linspace(0, len(videos) - 1, min(sample_videos, len(videos)))})
    rng = np.random.default_rng(settings.seed)
    seen = kept = frames = pair_count = 0
    search_bytes, exemplar_bytes = [], []
    for k in picks:
        try:
            video_tracks = reader.tracks(videos[k])
        except TfLuError:
            if settings.skip_errors:
                continue
            raise
        for track in video_tracks:
            seen += 1
            track = trim_track(track)
            if filter_reason(track, settings):
                continue
            kept += 1
            frames += len(track)
            usable = usable_frames(track, settings)
            pair_count += min(settings.pairs_per_track, int(usable.sum()) * (int(usable.sum()) - 1))
            if len(search_bytes) >= max_crops:
                continue
            chosen = np.sort(rng.choice(np.flatnonzero(usable), min(frames_per_track, int(usable.sum())), False))
            try:
                crops = crop_track_from_sequence(_sub_sequence(track, chosen)).crops
            except TfLuError:
                continue
            for crop in crops:
                search_bytes.append(len(encode_jpeg(crop)))
                exemplar_bytes.append(len(encode_jpeg(center_window(crop, EXEMPLAR_MARGIN))))
    scale = len(videos) / max(1, len(picks))
    estimate = {"sample_videos": len(picks), "sample_crops": len(search_bytes), "videos": len(videos),
                "tracks": int(round(kept * scale)), "tracks_seen": int(round(seen * scale))}
    if search_bytes:
        search, exemplar = float(np.mean(search_bytes)), float(np.mean(exemplar_bytes))
        kept_fraction = float(np.mean(1.0 / np.arange(1, settings.max_interval + 1)))   # E[1/k], k uniform
        estimate.update({
            "bytes_per_pair": int(search + exemplar + 120), "bytes_per_sequence_frame": int(search + 40),
            "pairs": int(round(pair_count * scale)), "sequence_frames": int(round(frames * scale * kept_fraction))})
        estimate["pair_bytes"] = estimate["pairs"] * estimate["bytes_per_pair"] if "pairs" in settings.stages else 0
        estimate["sequence_bytes"] = (estimate["sequence_frames"] * estimate["bytes_per_sequence_frame"]
                                      if "sequences" in settings.stages else 0)
    return estimate


def _human(size):
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000.0


def describe_estimate(estimate, stages):
    head = (f"estimate from {estimate['sample_videos']} of {estimate['videos']} videos: "
            f"~{estimate['tracks']:,} of ~{estimate['tracks_seen']:,} tracks kept")
    if "bytes_per_pair" not in estimate:
        return head + "; no frame could be sampled, size unknown"
    parts = [head]
    if "pairs" in stages:
        parts.append(f"~{estimate['pairs']:,} pairs x {_human(estimate['bytes_per_pair'])} = "
                     f"~{_human(estimate['pair_bytes'])}")
    if "sequences" in stages:
        parts.append(f"~{estimate['sequence_frames']:,} sequence frames x "
                     f"{_human(estimate['bytes_per_sequence_frame'])} = ~{_human(estimate['sequence_bytes'])}")
    return "; ".join(parts)


# ------------------------------------------------------------------------------------------------------ the driver

def _video_hash(videos):
    digest = hashlib.sha1()
    for video in videos:
        digest.update(video.name.encode() + b"\n")
    return digest.hexdigest()[:16]


def _check_settings(settings, videos):
    """Record the settings in ``.curate/settings.json``; a conflict with an earlier run is a TfLuError."""
    path = os.path.join(settings.out, STATE_DIR, "settings.json")
    common = {**settings.common(), "videos": len(videos), "video_list_sha1": _video_hash(videos)}
    saved = _read_json(path) if os.path.isfile(path) else {}
    if saved and saved.get("common") != common:
        old = saved.get("common", {})
        diff = [f"{k}: {old.get(k)!r} -> {common.get(k)!r}" for k in sorted(set(old) | set(common))
                if old.get(k) != common.get(k)]
        raise TfLuError(f"{settings.out} holds a curation with other settings ({'; '.join(diff)}); "
                        f"use another --out or delete it")
    for stage in settings.stages:
        if stage in saved and saved[stage] != settings.stage_settings(stage):
            diff = [f"{k}: {saved[stage].get(k)!r} -> {v!r}" for k, v in settings.stage_settings(stage).items()
                    if saved[stage].get(k) != v]
            raise TfLuError(f"{settings.out} holds {stage} curated with other settings ({'; '.join(diff)}); "
                            f"use another --out or delete it")
    saved = {**saved, "common": common, **{s: settings.stage_settings(s) for s in settings.stages}}
    _write_json(path, saved)
    return saved


def _chunk_done(out, stage, chunk):
    path = marker_path(out, stage, chunk)
    if not os.path.isfile(path):
        return False
    try:
        marker = _read_json(path)
    except (OSError, ValueError):
        return False
    return all(os.path.isfile(os.path.join(out, name)) for name in marker.get("files", {}))


def _run_tasks(tasks, settings, bar):
    """Run the chunk tasks in-process (1 worker) or in a spawn pool, updating ``bar`` per video."""
    global _PROGRESS
    if settings.workers == 1 or len(tasks) == 1:
        _PROGRESS = bar.update
        try:
            for task in tasks:
                run_chunk(task)
        finally:
            _PROGRESS = None
        return
    import multiprocessing
    import queue as queue_module
    import sys
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file is not None and not os.path.exists(main_file):
        # e.g. a script piped through stdin: spawned workers could not re-import it and the pool would hang
        print("note: __main__ is not importable by worker processes; curating in this process", file=sys.stderr)
        return _run_tasks(tasks, dataclasses.replace(settings, workers=1), bar)
    context = multiprocessing.get_context("spawn")
    progress = context.Queue()
    with context.Pool(min(settings.workers, len(tasks)), initializer=_init_worker, initargs=(progress,)) as pool:
        results = [pool.apply_async(run_chunk, (task,)) for task in tasks]
        pending = list(results)
        while pending:
            try:
                bar.update(progress.get(timeout=0.2))
            except queue_module.Empty:
                pass
            for result in [r for r in pending if r.ready()]:
                result.get()               # re-raises a worker's error (pool terminated on leaving the block)
                pending.remove(result)
        while True:
            try:
                bar.update(progress.get_nowait())
            except queue_module.Empty:
                break
        pool.close()
        pool.join()


def build_manifest(settings, videos, chunks, saved_settings):
    """Aggregate the chunk markers of every stage present in the output folder."""
    manifest = {"dataset": settings.dataset, "root": os.path.basename(os.path.normpath(settings.root)),
                "split": settings.split, "videos": len(videos), "chunks": chunks,
                "filters": {"min_size": settings.min_size, "aspect": list(settings.aspect),
                            "min_visible": settings.min_visible},
                "settings": saved_settings, "stages": []}
    track_totals = None
    total_bytes = 0
    for stage in STAGES:
        if stage not in saved_settings:
            continue
        markers = [_read_json(marker_path(settings.out, stage, c)) for c in range(chunks)
                   if _chunk_done(settings.out, stage, c)]
        files = {name: size for m in markers for name, size in m["files"].items()}
        entry = {"complete": len(markers) == chunks, "chunks_done": len(markers), "shards": sorted(files),
                 "bytes": int(sum(files.values())), **saved_settings[stage]}
        if stage == "pairs":
            entry["count"] = int(sum(m["count"] for m in markers))
            entry["tracks_without_pairs"] = int(sum(m["tracks_without_pairs"] for m in markers))
        else:
            entry["count"] = int(sum(m["count"] for m in markers))
            entry["frames"] = int(sum(m["frames"] for m in markers))
            for key in ("buckets", "windows"):
                merged = {}
                for m in markers:
                    for k, v in m[key].items():
                        merged[k] = merged.get(k, 0) + v
                entry[key] = dict(sorted(merged.items(), key=lambda kv: (len(kv[0]), kv[0])))
        manifest[stage] = entry
        manifest["stages"].append(stage)
        total_bytes += entry["bytes"]
        if track_totals is None or len(markers) > len(track_totals):
            track_totals = markers          # the filters are common to both stages: either stage's counts do
    if track_totals:
        markers = track_totals
        filtered = {}
        for m in markers:
            for reason, count in m["tracks"]["filtered"].items():
                filtered[reason] = filtered.get(reason, 0) + count
        manifest["tracks"] = {
            "videos": int(sum(m["tracks"]["videos"] for m in markers)),
            "seen": int(sum(m["tracks"]["seen"] for m in markers)),
            "kept": int(sum(m["tracks"]["kept"] for m in markers)),
            "kept_frames": int(sum(m["tracks"]["frames"] for m in markers)),
            "filtered": filtered,
            "filtered_tracks": [t for m in markers for t in m["tracks"]["filtered_tracks"]],
        }
        manifest["errors"] = [e for m in markers for e in m["tracks"]["errors"]]
    manifest["bytes"] = total_bytes
    manifest["written"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return manifest


def curate(settings, progress=True, log=print):
    """Curate ``settings.dataset`` into ``settings.out``; resumable.  Returns the manifest (also written to
    ``out/manifest.json``)."""
    from tqdm import tqdm
    settings.validate()
    videos = list_videos(settings.dataset, settings.root, settings.split, settings.limit)
    os.makedirs(os.path.join(settings.out, STATE_DIR), exist_ok=True)
    saved = _check_settings(settings, videos)
    chunks = int(math.ceil(len(videos) / settings.videos_per_shard))
    tasks, done_videos = [], 0
    for chunk in range(chunks):
        chunk_videos = videos[chunk * settings.videos_per_shard:(chunk + 1) * settings.videos_per_shard]
        todo = [s for s in settings.stages if not _chunk_done(settings.out, s, chunk)]
        if not todo:
            done_videos += len(chunk_videos)
            continue
        tasks.append({"settings": dataclasses.asdict(settings), "chunk": chunk, "chunks": chunks, "stages": todo,
                      "videos": chunk_videos})
    if log:
        log(f"{settings.dataset}: {len(videos):,} videos in {chunks} chunk(s) of up to {settings.videos_per_shard}; "
            f"{chunks - len(tasks)} chunk(s) already done")
    if tasks:
        if log:
            estimate = estimate_size(settings, videos)
            log(describe_estimate(estimate, settings.stages))
            needed = estimate.get("pair_bytes", 0) + estimate.get("sequence_bytes", 0)
            free = shutil.disk_usage(settings.out).free
            if needed > free:
                log(f"warning: the estimate ({_human(needed)}) exceeds the free disk ({_human(free)}) at "
                    f"{settings.out}")
        bar = tqdm(total=len(videos), initial=done_videos, desc=f"curate {settings.dataset}", unit="video",
                   disable=not progress)
        try:
            _run_tasks(tasks, settings, bar)
        finally:
            bar.close()
    manifest = build_manifest(settings, videos, chunks, saved)
    _write_json(os.path.join(settings.out, "manifest.json"), manifest)
    return manifest
