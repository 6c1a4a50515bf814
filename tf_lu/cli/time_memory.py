"""Resident memory of a tracker after N frames of a long generated sequence (is it flat with sequence length?).

    tf-lu time memory --tracker siamfc-sgd --frames 1000,10000 [--set updater.sgd.long_term_iters=50]

Prints one JSON line: the tracker, the overrides, and the resident set size (MiB) and elapsed seconds at each frame
count (and a progress line on stderr as each count is reached).  Run one tracker per process, so one tracker's memory does not weigh on another's figure.
"""
import json
import sys

import yaml

from tf_lu.cli import checks
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--tracker", required=True, help="tracker name or config path, e.g. siamfc-learned")
    parser.add_argument("--frames", default="1000,10000", type=checks.positive_ints,
                        help="comma-separated frame counts to measure at")
    parser.add_argument("--loop-frames", type=checks.at_least(2), default=120,
                        help="length of the generated sequence that is played forwards and backwards (default 120)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override, e.g. updater.sgd.long_term_iters=50 (repeatable)")


def parse_overrides(items):
    """``["updater.ema.alpha=0.1"]`` -> ``{"updater": {"ema": {"alpha": 0.1}}}`` (values parsed as YAML scalars)."""
    overrides = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise TfLuError(f"--set expects KEY=VALUE, got {item!r}")
        *parents, leaf = key.strip().split(".")
        node = overrides
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = yaml.safe_load(value)
    return overrides


def run(args):
    overrides = parse_overrides(args.set)
    checks.trackers([args.tracker], overrides or None)
    from tf_lu.timing.memory import measure_memory
    from tf_lu.tracking.registry import build_tracker
    tracker = build_tracker(args.tracker, overrides or None)
    progress = lambda frames, rss, seconds: print(f"{args.tracker}: {frames} frames, {rss:.1f} MiB, {seconds:.0f} s",
                                                  file=sys.stderr, flush=True)
    result = measure_memory(tracker, args.frames, loop_frames=args.loop_frames, report=progress)
    print(json.dumps({"tracker": args.tracker, "overrides": overrides, **result}))
