"""What each part of one tracking step costs: crops, exemplar, search features, correlation, upsampling, peak, updater,
the graph call and the Python around it (each part's median over rounds of all parts in turn).

    tf-lu time step --trackers siamfc-learned,siamfc-learned-fast --data ../shared/data/eval_dev --sequence tiger

Without --data the frames are a generated sequence (480x360).  Each tracker's config chooses the runtime its parts
run on (runtime: keras | xla | tflite), so one command compares runtimes: the parts of all trackers run in turn, round
after round.  The load average is printed with the table.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--trackers", default="siamfc-learned", type=comma_list,
                        help="comma-separated tracker names or config files (default siamfc-learned)")
    parser.add_argument("--data", type=checks.input_folder,
                        help="a folder of OTB-layout sequences (default: a generated sequence)")
    parser.add_argument("--sequence", help="with --data: the sequence to take frames from (default: the first)")
    parser.add_argument("--frames", type=checks.at_least(2), default=20,
                        help="frames tracked before the profile, 2 or more (default 20)")
    parser.add_argument("--repeats", type=checks.positive_int, default=50, help="rounds of every part (default 50)")


def run(args):
    checks.needs(args, "sequence", "data")
    from tf_lu.tracking.names import is_opencv_name
    if any(is_opencv_name(name) for name in args.trackers):
        raise TfLuError("tf-lu time step profiles TensorFlow trackers (siamfc-*, cfnet-*), not OpenCV ones")
    checks.trackers(args.trackers)
    from tf_lu.apps.time_step import profile_trackers
    print(profile_trackers(args.trackers, args.data, args.sequence, args.frames, args.repeats))
