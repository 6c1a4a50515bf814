"""What each part of one tracking step costs: crops, exemplar, search features, correlation, upsampling, peak, updater,
the graph call and the Python around it (each part's median over rounds of all parts in turn).

    tf-lu time step --trackers siamfc-learned,siamfc-learned-fast --data ../shared/data/eval_dev --sequence tiger

Without --data the frames are a generated sequence (480x360).  Each tracker's config chooses the runtime its parts
run on (runtime: keras | xla | tflite), so one command compares runtimes: the parts of all trackers run in turn, round
after round.  The load average is printed with the table.
"""
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--trackers", default="siamfc-learned",
                        help="comma-separated tracker names or config files (default siamfc-learned)")
    parser.add_argument("--data", help="a folder of OTB-layout sequences (default: a generated sequence)")
    parser.add_argument("--sequence", help="with --data: the sequence to take frames from (default: the first)")
    parser.add_argument("--frames", type=int, default=20, help="frames tracked before the profile (default 20)")
    parser.add_argument("--repeats", type=int, default=50, help="rounds of every part (default 50)")


def run(args):
    from tf_lu.evaluation.otb import build_trackers
    from tf_lu.timing.step_profile import load_text, profile_steps, profile_table
    if args.frames < 2:
        raise TfLuError(f"--frames must be at least 2, got {args.frames}")
    names = comma_list(args.trackers)
    if any(name.startswith("opencv-") for name in names):
        raise TfLuError("tf-lu time step profiles TensorFlow trackers (siamfc-*, cfnet-*), not OpenCV ones")
    frames, box = _frames(args)
    before = load_text()
    profiles = profile_steps(build_trackers(names), frames, box, args.repeats)
    print(profile_table(profiles))
    print(f"\n{len(frames)} frames tracked, then {args.repeats} rounds; before: {before}; after: {load_text()}")


def _frames(args):
    if args.data:
        from tf_lu.data.sequences import read_otb_folders
        sequences = read_otb_folders(args.data, [args.sequence] if args.sequence else None)
        sequence = sequences[0]
    else:
        from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
        sequence = generate_sequence(0, SyntheticConfig(num_frames=args.frames, height=360, width=480), name="timing")
    count = min(args.frames, len(sequence))
    return [sequence.frame(index) for index in range(count)], sequence.boxes[0]
