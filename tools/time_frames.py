#!/usr/bin/env python
"""Per-frame time of trackers, updating side by side on the same frame (what one tracker costs over another).

    python tools/time_frames.py --trackers siamfc-none,siamfc-learned --frames 400
"""
import argparse

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description="Per-frame time of trackers measured side by side.")
    parser.add_argument("--trackers", required=True, help="comma-separated tracker names; the first is the reference")
    parser.add_argument("--frames", type=int, default=400, help="timed frames per tracker (default 400)")
    args = parser.parse_args()
    from tf_lu.evaluation.frame_timing import time_frames, timing_table
    from tf_lu.tracking.registry import build_tracker
    names = list(dict.fromkeys(n.strip() for n in args.trackers.split(",") if n.strip()))
    trackers = {name: build_tracker(name) for name in names}
    print(timing_table(time_frames(trackers, frames=args.frames)))


if __name__ == "__main__":
    _bootstrap.run(main)
