"""Track and evaluate on the embedded default: generated sequences, the shipped SiamFC trackers and OpenCV peers.

python tools/demo.py [--out out/demo] [--data DIR_OF_OTB_SEQUENCES] [--trackers a,b,c]
"""
import argparse
import os

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join("out", "demo"))
    parser.add_argument("--data", help="use these OTB-layout sequences instead of generated ones")
    parser.add_argument("--trackers", help="comma-separated tracker names")
    parser.add_argument("--count", type=int, default=4, help="generated sequences")
    args = parser.parse_args()
    from tf_lu.apps.demo import DEFAULT_TRACKERS, run_demo
    from tf_lu.evaluation.otb import markdown_table
    trackers = args.trackers.split(",") if args.trackers else DEFAULT_TRACKERS
    summary, gif, _ = run_demo(args.out, args.data, trackers, args.count)
    print(markdown_table(summary))
    print(f"\nmachine: {summary.get('machine')}")
    print(f"results: {args.out}/summary.json, {args.out}/summary.md, plots {args.out}/success_plot.png, "
          f"{args.out}/precision_plot.png; boxes drawn in {gif}")


if __name__ == "__main__":
    _bootstrap.run(main)
