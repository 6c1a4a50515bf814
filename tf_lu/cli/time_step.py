"""What each part of one tracking step costs: crops, exemplar, search features, correlation, upsampling, peak, updater,
the graph call and the Python around it (each part's median over rounds of all parts in turn).

    tf-lu time step --tracker siamfc-learned --data ../shared/data/eval_dev --sequence tiger

Without --data the frames are a generated sequence (480x360).  The tracker's config chooses the runtime the parts run
on (runtime: keras | xla | tflite), so the same command compares runtimes.  The load average is printed with the table.
"""
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--tracker", default="siamfc-learned", help="tracker name or config file (default siamfc-learned)")
    parser.add_argument("--data", help="a folder of OTB-layout sequences (default: a generated sequence)")
    parser.add_argument("--sequence", help="with --data: the sequence to take frames from (default: the first)")
    parser.add_argument("--frames", type=int, default=20, help="frames tracked before the profile (default 20)")
    parser.add_argument("--repeats", type=int, default=50, help="rounds of every part (default 50)")


def run(args):
    from tf_lu.timing.step_profile import load_text, profile_step, profile_table
    from tf_lu.tracking.registry import build_tracker
    if args.frames < 2:
        raise TfLuError(f"--frames must be at least 2, got {args.frames}")
    frames, box = _frames(args)
    medians = profile_step(build_tracker(args.tracker), frames, box, args.repeats)
    print(profile_table(medians))
    print(f"\n{args.tracker}; {len(frames)} frames tracked, then {args.repeats} rounds; {load_text()}")


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
