"""Curating a dataset (any reader of :mod:`tf_lu.data.datasets`) into pair and sequence records: the chunks still to
do, a size estimate, the chunks run (:mod:`tf_lu.data.curation.workers`), then the manifest."""
import dataclasses
import math
import os
import shutil

from tqdm import tqdm

from tf_lu.data.curation.estimate import describe_estimate, estimate_size, human_size
from tf_lu.data.curation.manifest import build_manifest
from tf_lu.data.curation.settings import STATE_DIR, chunk_done, record_settings
from tf_lu.data.curation.workers import run_tasks
from tf_lu.data.datasets import list_videos
from tf_lu.data.records.common import write_json


def _tasks(settings, videos, chunks):
    """The chunk tasks with a stage still to do, and the number of videos of the chunks already done."""
    tasks, done_videos = [], 0
    for chunk in range(chunks):
        chunk_videos = videos[chunk * settings.videos_per_shard:(chunk + 1) * settings.videos_per_shard]
        todo = [s for s in settings.stages if not chunk_done(settings.out, s, chunk)]
        if not todo:
            done_videos += len(chunk_videos)
            continue
        tasks.append({"settings": dataclasses.asdict(settings), "chunk": chunk, "chunks": chunks, "stages": todo,
                      "videos": chunk_videos})
    return tasks, done_videos


def _log_estimate(settings, videos, log):
    estimate = estimate_size(settings, videos)
    log(describe_estimate(estimate, settings.stages))
    needed = estimate.get("pair_bytes", 0) + estimate.get("sequence_bytes", 0)
    free = shutil.disk_usage(settings.out).free
    if needed > free:
        log(f"warning: the estimate ({human_size(needed)}) exceeds the free disk ({human_size(free)}) at "
            f"{settings.out}")


def curate(settings, progress=True, log=print):
    """Curate ``settings.dataset`` into ``settings.out``; resumable.  Returns the manifest (also written to
    ``out/manifest.json``)."""
    settings.validate()
    videos = list_videos(settings.dataset, settings.root, settings.split, settings.limit)
    os.makedirs(os.path.join(settings.out, STATE_DIR), exist_ok=True)
    saved = record_settings(settings, videos)
    chunks = int(math.ceil(len(videos) / settings.videos_per_shard))
    tasks, done_videos = _tasks(settings, videos, chunks)
    if log:
        log(f"{settings.dataset}: {len(videos):,} videos in {chunks} chunk(s) of up to {settings.videos_per_shard}; "
            f"{chunks - len(tasks)} chunk(s) already done")
    if tasks:
        if log:
            _log_estimate(settings, videos, log)
        bar = tqdm(total=len(videos), initial=done_videos, desc=f"curate {settings.dataset}", unit="video",
                   disable=not progress)
        try:
            run_tasks(tasks, settings, bar)
        finally:
            bar.close()
    manifest = build_manifest(settings, videos, chunks, saved)
    write_json(os.path.join(settings.out, "manifest.json"), manifest)
    return manifest
