"""Write procedural tracking sequences as OTB-layout folders (img/0001.jpg ... + groundtruth_rect.txt).

    tf-lu make-synthetic --out data/synthetic --count 20 --frames 60 --seed 0 [--height 240 --width 320]

Sequence i is named synthetic-<i:04d> and equals generate_dataset(seed, count)[i] (see tf_lu/data/synthetic/).
"""
import os


def add_arguments(parser):
    parser.add_argument("--out", required=True, help="output folder (one sub-folder per sequence)")
    parser.add_argument("--count", type=int, default=10, help="number of sequences")
    parser.add_argument("--frames", type=int, default=60, help="frames per sequence")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--height", type=int, default=240)
    parser.add_argument("--width", type=int, default=320)


def run(args):
    from tf_lu.data.synthetic import SyntheticConfig, generate_sequence, sequence_seed, write_otb_folder
    from tf_lu.errors import check
    check(args.count >= 0, f"--count must be at least 0, got {args.count}")
    config = SyntheticConfig(num_frames=args.frames, height=args.height, width=args.width)
    for i in range(args.count):  # one at a time, so memory stays small
        name = f"synthetic-{i:04d}"
        sequence = generate_sequence(sequence_seed(args.seed, i), config, name=name)
        write_otb_folder(sequence, os.path.join(args.out, name))
    print(f"wrote {args.count} sequences of {args.frames} frames to {args.out}")
