"""Curate a tracking dataset into sharded TFRecords: extractor pairs and/or length-bucketed updater sequences.

    tf-lu curate --dataset got10k --root /data/GOT-10k --out records/got10k --stage both --workers 8

Datasets: vid, got10k, lasot, trackingnet, vot, otb (layouts in docs/DATASETS.md).  Resumable: rerun the same command
after a kill and the finished shards are kept.  Writes OUT/pairs-*.tfrecord (tf-lu train-extractor --records OUT),
OUT/seq-L*-*.tfrecord and OUT/manifest.json.
"""
import argparse

from tf_lu.cli import checks
from tf_lu.errors import TfLuError


def aspect_range(text):
    """``"LOW,HIGH"`` -> ``(low, high)``; anything else is an argparse usage error."""
    try:
        low, high = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected two numbers LOW,HIGH, got {text!r}") from None
    return low, high


def add_arguments(parser):
    parser.add_argument("--dataset", required=True, help="vid | got10k | lasot | trackingnet | vot | otb")
    parser.add_argument("--root", required=True, type=checks.input_folder, help="the dataset's folder")
    parser.add_argument("--out", required=True, type=checks.output_folder,
                        help="output folder (resumed when it holds an earlier run)")
    parser.add_argument("--stage", default="both", choices=("pairs", "sequences", "both"))
    parser.add_argument("--split", help="dataset split (vid: train|val, got10k: train|val|test, ...)")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--min-size", type=float, default=8.0, help="minimum box side in pixels")
    parser.add_argument("--aspect", type=aspect_range, default=(0.1, 10.0), help="allowed w/h range LOW,HIGH")
    parser.add_argument("--min-visible", type=float, default=0.5, help="minimum fraction of visible frames")
    parser.add_argument("--pairs-per-track", type=int, default=20)
    parser.add_argument("--max-gap", type=int, default=100, help="most frames between the two frames of a pair")
    parser.add_argument("--unroll", type=int, default=25, help="bucket lengths are multiples of this")
    parser.add_argument("--max-length", type=int, default=150, help="most sampled frames per sequence")
    parser.add_argument("--max-interval", type=int, default=2, help="largest frame interval of the sequences")
    parser.add_argument("--limit", type=int, help="first K videos only")
    parser.add_argument("--videos-per-shard", type=int, default=64, help="videos per chunk (one shard each)")
    parser.add_argument("--seed", type=checks.non_negative_int, default=0)
    parser.add_argument("--skip-errors", action="store_true",
                        help="record corrupt videos in the manifest and go on instead of stopping")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def manifest_lines(manifest, out):
    """What a finished curation wrote, as lines for the terminal."""
    tracks = manifest.get("tracks", {})
    filtered = ", ".join(f"{k} {v}" for k, v in sorted(tracks.get("filtered", {}).items())) or "none"
    lines = [f"tracks: {tracks.get('kept', 0)} kept of {tracks.get('seen', 0)} (filtered: {filtered})"]
    for stage in manifest["stages"]:
        entry = manifest[stage]
        extra = f", {entry['frames']} frames, buckets {entry['buckets']}" if stage == "sequences" else ""
        lines.append(f"{stage}: {entry['count']} in {len(entry['shards'])} file(s), "
                     f"{entry['bytes'] / 1e6:.1f} MB{extra}")
    if manifest.get("errors"):
        lines.append(f"{len(manifest['errors'])} video(s) skipped for errors (see manifest.json)")
    lines.append(f"manifest: {out}/manifest.json")
    return lines


def run(args):
    from tf_lu.data.curation import CurateSettings, curate
    settings = CurateSettings(
        dataset=args.dataset, root=args.root, out=args.out, stage=args.stage, split=args.split, workers=args.workers,
        min_size=args.min_size, aspect=tuple(args.aspect), min_visible=args.min_visible,
        pairs_per_track=args.pairs_per_track, max_gap=args.max_gap, unroll=args.unroll, max_length=args.max_length,
        max_interval=args.max_interval, limit=args.limit, videos_per_shard=args.videos_per_shard, seed=args.seed,
        skip_errors=args.skip_errors)
    manifest = curate(settings, progress=not args.quiet)
    print("\n".join(manifest_lines(manifest, args.out)))
    empty = [s for s in settings.stages if not manifest[s]["count"]]
    if empty:
        raise TfLuError(f"no {' and no '.join(empty)} written: every track was filtered or dropped "
                        f"(see {args.out}/manifest.json)")
