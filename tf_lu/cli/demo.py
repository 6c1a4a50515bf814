"""Track and evaluate on the embedded default: generated sequences, the shipped SiamFC trackers and OpenCV peers.

    tf-lu demo [--out out/demo] [--data DIR_OF_OTB_SEQUENCES] [--trackers a,b,c] [--count 4]
"""
import os

from tf_lu.cli import checks
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--out", default=os.path.join("out", "demo"), type=checks.output_folder,
                        help="output folder (default out/demo)")
    parser.add_argument("--data", type=checks.input_folder,
                        help="use these OTB-layout sequences instead of generated ones")
    parser.add_argument("--trackers", help="comma-separated tracker names (default: the shipped SiamFC trackers and "
                                           "OpenCV's CSRT and KCF)")
    parser.add_argument("--count", type=checks.positive_int, default=4, help="generated sequences")


def run(args):
    from tf_lu.tracking.names import DEFAULT_TRACKERS
    trackers = checks.trackers(comma_list(args.trackers) or DEFAULT_TRACKERS)
    from tf_lu.apps.demo import run_demo
    from tf_lu.evaluation.otb import markdown_table
    summary, gif, _ = run_demo(args.out, args.data, trackers, args.count)
    print(markdown_table(summary))
    print(f"\nmachine: {summary.get('machine')}")
    print(f"results: {args.out}/summary.json, {args.out}/summary.md, plots {args.out}/success_plot.png, "
          f"{args.out}/precision_plot.png; boxes drawn in {gif}")
