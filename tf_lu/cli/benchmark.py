"""OTB one-pass benchmark of trackers (success AUC, precision@20, fps) on OTB-layout sequences.

    tf-lu benchmark --data DIR --trackers siamfc-none,siamfc-ema,opencv-csrt,opencv-kcf --out OUT

DIR holds one OTB-layout sub-folder per sequence (img/ + groundtruth_rect.txt).  Writes OUT/results/<tracker>/<seq>.txt,
OUT/summary.json, OUT/summary.md and the success / precision plots.
"""
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--data", required=True,
                        help="folder with one OTB-layout sub-folder per sequence (several: comma-separated)")
    parser.add_argument("--trackers", required=True,
                        help="comma-separated tracker names (e.g. siamfc-ema,opencv-kcf) or paths of tracker config "
                             "files (my/siamfc-ema-0.02.yaml, filed under siamfc-ema-0.02)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--sequences", help="comma-separated sequence names (default: all in --data)")
    parser.add_argument("--max-frames", type=int, help="use only the first N frames of every sequence")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--batch-streams", type=int, metavar="B",
                        help="track the sequences B at a time, one graph call per frame for all B (TensorFlow "
                             "trackers only); fps is then the aggregate frames per second")


def run(args):
    from tf_lu.data.sequences import read_otb_folders
    from tf_lu.evaluation.otb import markdown_table, run_benchmark, truncate_sequence
    names = comma_list(args.trackers)
    if not names:
        raise TfLuError("--trackers: no tracker names given")
    if args.max_frames is not None and args.max_frames < 1:
        raise TfLuError(f"--max-frames must be at least 1, got {args.max_frames}")
    sequences = read_otb_folders(args.data, comma_list(args.sequences) or None)
    sequences = [truncate_sequence(s, args.max_frames) for s in sequences]
    if args.batch_streams is not None:
        if args.batch_streams < 1:
            raise TfLuError(f"--batch-streams must be at least 1, got {args.batch_streams}")
        from tf_lu.evaluation.batched import run_batched_benchmark
        summary = run_batched_benchmark(names, sequences, args.out, args.batch_streams, progress=not args.no_progress)
    else:
        summary = run_benchmark(names, sequences, args.out, progress=not args.no_progress)
    print(markdown_table(summary))
    print(f"\nresults, summary.json, summary.md and plots in {args.out}")
