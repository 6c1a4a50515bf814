"""A disk-size estimate of a curation, from a sample of its videos, logged before the work starts."""
import numpy as np

from tf_lu.data.curation.tracks import filter_reason, sub_sequence, trim_track, usable_frames
from tf_lu.data.datasets import get_reader
from tf_lu.data.pairs import EXEMPLAR_MARGIN, center_window, crop_track_from_sequence
from tf_lu.data.records.common import encode_jpeg
from tf_lu.errors import TfLuError


def estimate_size(settings, videos, sample_videos=4, frames_per_track=2, max_crops=16):
    """Disk estimate from a sample of the videos: a few frames per kept track are cropped and JPEG-encoded."""
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
                crops = crop_track_from_sequence(sub_sequence(track, chosen)).crops
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


def human_size(size):
    """``1.2 MB``: a byte count in decimal units."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(size) < 1000 or unit == "TB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000.0


def describe_estimate(estimate, stages):
    """One line: tracks kept, and pairs and sequence frames times their size, of the stages run."""
    head = (f"estimate from {estimate['sample_videos']} of {estimate['videos']} videos: "
            f"~{estimate['tracks']:,} of ~{estimate['tracks_seen']:,} tracks kept")
    if "bytes_per_pair" not in estimate:
        return head + "; no frame could be sampled, size unknown"
    parts = [head]
    if "pairs" in stages:
        parts.append(f"~{estimate['pairs']:,} pairs x {human_size(estimate['bytes_per_pair'])} = "
                     f"~{human_size(estimate['pair_bytes'])}")
    if "sequences" in stages:
        parts.append(f"~{estimate['sequence_frames']:,} sequence frames x "
                     f"{human_size(estimate['bytes_per_sequence_frame'])} = ~{human_size(estimate['sequence_bytes'])}")
    return "; ".join(parts)
