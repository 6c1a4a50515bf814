"""Settings of a dataset curation (:class:`CurateSettings`), and their record in the output folder: the settings file
that makes a rerun with other settings an error, and the per-chunk markers that make a rerun resume."""
import dataclasses
import hashlib
import os
from typing import Optional, Tuple

from tf_lu.data.datasets import get_reader
from tf_lu.data.records.common import read_json, write_json
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


def marker_path(out, stage, chunk):
    """``out/.curate/<stage>-<chunk>.json``: what a finished chunk of a stage wrote."""
    return os.path.join(out, STATE_DIR, f"{stage}-{chunk:05d}.json")


def chunk_done(out, stage, chunk):
    """Whether the chunk's marker and every file it lists exist."""
    path = marker_path(out, stage, chunk)
    if not os.path.isfile(path):
        return False
    try:
        marker = read_json(path)
    except (OSError, ValueError):
        return False
    return all(os.path.isfile(os.path.join(out, name)) for name in marker.get("files", {}))


def _video_hash(videos):
    digest = hashlib.sha1()
    for video in videos:
        digest.update(video.name.encode() + b"\n")
    return digest.hexdigest()[:16]


def _conflict(old, new):
    return "; ".join(f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new))
                     if old.get(k) != new.get(k))


def record_settings(settings, videos):
    """Record the settings in ``.curate/settings.json``; a conflict with an earlier run is a TfLuError."""
    path = os.path.join(settings.out, STATE_DIR, "settings.json")
    common = {**settings.common(), "videos": len(videos), "video_list_sha1": _video_hash(videos)}
    saved = read_json(path) if os.path.isfile(path) else {}
    if saved and saved.get("common") != common:
        diff = _conflict(saved.get("common", {}), common)
        raise TfLuError(f"{settings.out} holds a curation with other settings ({diff}); use another --out or delete it")
    for stage in settings.stages:
        wanted = settings.stage_settings(stage)
        if stage in saved and saved[stage] != wanted:
            diff = "; ".join(f"{k}: {saved[stage].get(k)!r} -> {v!r}" for k, v in wanted.items()
                             if saved[stage].get(k) != v)
            raise TfLuError(f"{settings.out} holds {stage} curated with other settings ({diff}); "
                            f"use another --out or delete it")
    saved = {**saved, "common": common, **{s: settings.stage_settings(s) for s in settings.stages}}
    write_json(path, saved)
    return saved
