#!/usr/bin/env python
"""OTB one-pass benchmark of trackers on OTB-layout sequences.

    python tools/benchmark.py --data DIR --trackers siamfc-none,siamfc-ema,opencv-csrt,opencv-kcf --out OUT

``DIR`` holds one OTB-layout sub-folder per sequence (``img/`` + ``groundtruth_rect.txt``).  Writes
``OUT/results/<tracker>/<seq>.txt``, ``OUT/summary.json``, ``OUT/summary.md`` and the success / precision plots.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tf_lu.errors import TfLuError  # noqa: E402


def _names(text):
    return list(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="OTB one-pass benchmark (success AUC, precision@20, fps).")
    parser.add_argument("--data", required=True,
                        help="folder with one OTB-layout sub-folder per sequence (several: comma-separated)")
    parser.add_argument("--trackers", required=True, help="comma-separated tracker names (e.g. siamfc-ema,opencv-kcf) or paths of "
                        "tracker config files (my/siamfc-ema-0.02.yaml, filed under siamfc-ema-0.02)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--sequences", help="comma-separated sequence names (default: all in --data)")
    parser.add_argument("--max-frames", type=int, help="use only the first N frames of every sequence")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    try:
        from tf_lu.data.sequences import read_otb_folders
        from tf_lu.evaluation.otb import markdown_table, run_benchmark, truncate_sequence

        names = _names(args.trackers)
        if not names:
            raise TfLuError("--trackers: no tracker names given")
        if args.max_frames is not None and args.max_frames < 1:
            raise TfLuError(f"--max-frames must be at least 1, got {args.max_frames}")
        sequences = read_otb_folders(args.data, _names(args.sequences) or None)
        sequences = [truncate_sequence(s, args.max_frames) for s in sequences]
        summary = run_benchmark(names, sequences, args.out, progress=not args.no_progress)
    except TfLuError as exc:
        print("error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    print(markdown_table(summary))
    print(f"\nresults, summary.json, summary.md and plots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
