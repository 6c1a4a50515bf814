"""Write procedural tracking sequences as OTB-layout folders (img/0001.jpg ... + groundtruth_rect.txt).

    tf-lu make-synthetic --out data/synthetic --count 20 --frames 60 --seed 0 [--height 240 --width 320]

Sequence i is named synthetic-<i:04d> and equals generate_dataset(seed, count)[i] (see tf_lu/data/synthetic/).
"""
from tf_lu.cli import checks


def add_arguments(parser):
    parser.add_argument("--out", required=True, type=checks.output_folder,
                        help="output folder (one sub-folder per sequence)")
    parser.add_argument("--count", type=checks.non_negative_int, default=10, help="number of sequences")
    parser.add_argument("--frames", type=checks.positive_int, default=60, help="frames per sequence")
    parser.add_argument("--seed", type=checks.non_negative_int, default=0)
    parser.add_argument("--height", type=checks.at_least(16), default=240, help="frame height in pixels (16 or more)")
    parser.add_argument("--width", type=checks.at_least(16), default=320, help="frame width in pixels (16 or more)")


def run(args):
    from tf_lu.data.synthetic import SyntheticConfig, write_dataset
    config = SyntheticConfig(num_frames=args.frames, height=args.height, width=args.width)
    write_dataset(args.out, args.seed, args.count, config)
    print(f"wrote {args.count} sequences of {args.frames} frames to {args.out}")
