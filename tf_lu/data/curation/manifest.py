"""The manifest of a curated folder (``manifest.json``): the chunk markers of every stage present, added up."""
import os
import time

from tf_lu.data.curation.settings import STAGES, chunk_done, marker_path
from tf_lu.data.records.common import read_json


def _summed(markers, key):
    """``{name: count}`` of ``marker[key]`` added over the markers, in bucket / name order."""
    merged = {}
    for m in markers:
        for k, v in m[key].items():
            merged[k] = merged.get(k, 0) + v
    return dict(sorted(merged.items(), key=lambda kv: (len(kv[0]), kv[0])))


def _stage_entry(stage, markers, chunks, stage_settings):
    files = {name: size for m in markers for name, size in m["files"].items()}
    entry = {"complete": len(markers) == chunks, "chunks_done": len(markers), "shards": sorted(files),
             "bytes": int(sum(files.values())), **stage_settings}
    entry["count"] = int(sum(m["count"] for m in markers))
    if stage == "pairs":
        entry["tracks_without_pairs"] = int(sum(m["tracks_without_pairs"] for m in markers))
    else:
        entry["frames"] = int(sum(m["frames"] for m in markers))
        for key in ("buckets", "windows"):
            entry[key] = _summed(markers, key)
    return entry


def _track_totals(markers):
    filtered = {}
    for m in markers:
        for reason, count in m["tracks"]["filtered"].items():
            filtered[reason] = filtered.get(reason, 0) + count
    return {
        "videos": int(sum(m["tracks"]["videos"] for m in markers)),
        "seen": int(sum(m["tracks"]["seen"] for m in markers)),
        "kept": int(sum(m["tracks"]["kept"] for m in markers)),
        "kept_frames": int(sum(m["tracks"]["frames"] for m in markers)),
        "filtered": filtered,
        "filtered_tracks": [t for m in markers for t in m["tracks"]["filtered_tracks"]],
    }


def build_manifest(settings, videos, chunks, saved_settings):
    """Aggregate the chunk markers of every stage present in the output folder."""
    manifest = {"dataset": settings.dataset, "root": os.path.basename(os.path.normpath(settings.root)),
                "split": settings.split, "videos": len(videos), "chunks": chunks,
                "filters": {"min_size": settings.min_size, "aspect": list(settings.aspect),
                            "min_visible": settings.min_visible},
                "settings": saved_settings, "stages": []}
    track_markers = None
    total_bytes = 0
    for stage in STAGES:
        if stage not in saved_settings:
            continue
        markers = [read_json(marker_path(settings.out, stage, c)) for c in range(chunks)
                   if chunk_done(settings.out, stage, c)]
        manifest[stage] = _stage_entry(stage, markers, chunks, saved_settings[stage])
        manifest["stages"].append(stage)
        total_bytes += manifest[stage]["bytes"]
        if track_markers is None or len(markers) > len(track_markers):
            track_markers = markers          # the filters are common to both stages: either stage's counts do
    if track_markers:
        manifest["tracks"] = _track_totals(track_markers)
        manifest["errors"] = [e for m in track_markers for e in m["tracks"]["errors"]]
    manifest["bytes"] = total_bytes
    manifest["written"] = time.strftime("%Y-%m-%dT%H:%M:%S")
    return manifest
