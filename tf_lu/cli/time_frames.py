"""Per-frame time of trackers, updating side by side on the same frame (what one tracker costs over another).

    tf-lu time frames --trackers siamfc-none,siamfc-learned --frames 400
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--trackers", required=True, help="comma-separated tracker names; the first is the reference")
    parser.add_argument("--frames", type=checks.positive_int, default=400, help="timed frames per tracker (default 400)")


def run(args):
    names = checks.trackers(comma_list(args.trackers))
    if not names:
        raise TfLuError("--trackers: no tracker names given")
    from tf_lu.timing.frames import time_frames, timing_table
    from tf_lu.tracking.registry import build_tracker
    print(timing_table(time_frames({name: build_tracker(name) for name in names}, frames=args.frames)))
