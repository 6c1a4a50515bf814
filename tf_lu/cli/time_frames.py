"""Per-frame time of trackers, updating side by side on the same frame (what one tracker costs over another).

    tf-lu time frames --trackers siamfc-none,siamfc-learned --frames 400
"""
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--trackers", required=True, help="comma-separated tracker names; the first is the reference")
    parser.add_argument("--frames", type=int, default=400, help="timed frames per tracker (default 400)")


def run(args):
    from tf_lu.timing.frames import time_frames, timing_table
    from tf_lu.tracking.registry import build_tracker
    trackers = {name: build_tracker(name) for name in comma_list(args.trackers)}
    print(timing_table(time_frames(trackers, frames=args.frames)))
