"""OTB one-pass benchmark of trackers (success AUC, precision@20, fps) on OTB-layout sequences.

    tf-lu benchmark --data DIR --trackers siamfc-none,siamfc-ema,opencv-csrt,opencv-kcf --out OUT

DIR holds one OTB-layout sub-folder per sequence (img/ + groundtruth_rect.txt).  Writes OUT/results/<tracker>/<seq>.txt,
OUT/summary.json, OUT/summary.md and the success / precision plots.

    tf-lu benchmark --protocol vot --vot-preset vot2016 --data DIR --trackers siamfc-none,opencv-kcf --out OUT

VOT's supervised experiments instead (EAO, accuracy, robustness, realtime EAO, fps): DIR is one VOT dataset root
(list.txt optional; per sequence groundtruth.txt with rectangles or polygons, frames in color/ or the folder itself)
or a folder of OTB-layout sequences.  Writes OUT/results/<tracker>/{baseline,realtime}/<seq>/<seq>_001.txt,
OUT/summary.json ("protocol": "vot"), OUT/summary.md and the expected-overlap and accuracy-robustness plots.
"""
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import DEFAULT_PRESET, PRESETS


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
    parser.add_argument("--protocol", choices=("otb", "vot"), default="otb",
                        help="otb: one pass, success AUC and precision (default); vot: supervised runs with "
                             "re-initialisation (EAO, accuracy, robustness) and the realtime experiment")
    parser.add_argument("--vot-preset", choices=sorted(PRESETS), default=DEFAULT_PRESET,
                        help="EAO length range: vot2016 [108, 371] (default), vot2017 / vot2018 [100, 356]")


def run(args):
    from tf_lu.data.sequences import read_otb_folders
    from tf_lu.tracking.names import check_tracker_names
    names = comma_list(args.trackers)
    if not names:
        raise TfLuError("--trackers: no tracker names given")
    if args.max_frames is not None and args.max_frames < 1:
        raise TfLuError(f"--max-frames must be at least 1, got {args.max_frames}")
    check_tracker_names(names)                 # names and data are checked before TensorFlow loads
    if args.protocol == "vot":
        return run_vot(args, names)
    sequences = read_otb_folders(args.data, comma_list(args.sequences) or None)
    from tf_lu.evaluation.otb import markdown_table, run_benchmark, truncate_sequence
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


def run_vot(args, names):
    """``--protocol vot``: VOT's baseline and realtime experiments on one dataset root."""
    from tf_lu.data.vot_sequences import read_vot_dataset
    roots = comma_list(args.data)
    if len(roots) != 1:
        raise TfLuError("--protocol vot reads one --data folder (a VOT dataset root or a folder of OTB sequences)")
    if args.batch_streams is not None:
        raise TfLuError("--batch-streams works with --protocol otb only")
    sequences = read_vot_dataset(roots[0], comma_list(args.sequences) or None)
    from tf_lu.evaluation.vot_benchmark import run_vot_benchmark, truncate_vot_sequence
    from tf_lu.evaluation.vot_results import markdown_table
    sequences = [truncate_vot_sequence(s, args.max_frames) for s in sequences]
    summary = run_vot_benchmark(names, sequences, args.out, preset=args.vot_preset, progress=not args.no_progress)
    print(markdown_table(summary))
    print(f"\nresults, summary.json, summary.md and plots in {args.out}")
