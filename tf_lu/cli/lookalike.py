"""Identity switches on generated look-alike sequences: how often each tracker jumps to a close copy of its target.

    tf-lu lookalike [--trackers siamfc-none,opencv-csrt] [--count 8] [--frames 90] [--seed 7000] [--out out/lookalike]

Generates the look-alike set (three or four near copies of the target per sequence), runs the OTB benchmark into
OUT (results/<tracker>/<seq>.txt, summary.json, summary.md, plots), then counts per tracker and sequence the frames
where the tracker's box is on a look-alike and the identity switches (jumps onto one).  Writes
OUT/identity_switches.json and OUT/identity_switches.md and prints the table.  Trackers are names as for
'tf-lu benchmark' (configs/trackers/, opencv-<kind>) or paths of tracker config files.
"""
import os

from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--trackers", help="comma-separated tracker names or config paths (default: the shipped "
                                           "SiamFC trackers and OpenCV's CSRT and KCF)")
    parser.add_argument("--count", type=checks.positive_int, default=8, help="generated sequences (default 8)")
    parser.add_argument("--frames", type=checks.at_least(2), default=90, help="frames per sequence (default 90)")
    parser.add_argument("--seed", type=checks.non_negative_int, default=7000,
                        help="seed of the sequence set (default 7000)")
    parser.add_argument("--out", default=os.path.join("out", "lookalike"), type=checks.output_folder,
                        help="output folder (default out/lookalike)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args):
    from tf_lu.tracking.names import DEFAULT_TRACKERS
    if args.trackers is not None and not comma_list(args.trackers):
        raise TfLuError("--trackers: no tracker names given")
    trackers = checks.trackers(comma_list(args.trackers) or DEFAULT_TRACKERS)
    from tf_lu.apps.lookalike import run_lookalike, switches_table
    report = run_lookalike(args.out, trackers, args.count, args.frames, args.seed, progress=not args.no_progress)
    print(switches_table(report))
    print(f"\nidentity switches: {args.out}/identity_switches.json, {args.out}/identity_switches.md; "
          f"benchmark: {args.out}/summary.json, {args.out}/summary.md")
