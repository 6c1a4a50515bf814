"""Benchmark trackers on sequences in the OTB one-pass protocol or VOT's supervised experiments.

    tf-lu benchmark --data DIR --trackers siamfc-none,siamfc-ema,opencv-csrt,opencv-kcf --out OUT

OTB (the default): DIR holds one OTB-layout sub-folder per sequence (img/ + groundtruth_rect.txt); success AUC,
precision@20, fps.  Writes OUT/results/<tracker>/<seq>.txt, OUT/summary.json, OUT/summary.md and the success /
precision plots.  The trackers run sequence by sequence and, within a sequence, in turns of 16 frames (each frame
decoded once), so their fps are comparable with each other on a machine whose load changes.

    tf-lu benchmark --protocol vot --vot-preset vot2016 --data DIR --trackers siamfc-none,opencv-kcf --out OUT

VOT's supervised experiments (EAO, accuracy, robustness, realtime EAO, fps, as vot-toolkit 0.9 computes them): DIR is
one VOT dataset root (list.txt optional; per sequence groundtruth.txt with rectangles or polygons, frames in color/ or
the folder itself) or a folder of OTB-layout sequences.  Writes
OUT/results/<tracker>/{baseline,realtime}/<seq>/<seq>_001.txt, OUT/summary.json ("protocol": "vot"), OUT/summary.md
and the expected-overlap and accuracy-robustness plots.

Rerunning into the same OUT runs only what is missing, and only when the sequences, trackers (config, weights) and
options OUT's results were made from are unchanged; otherwise it stops with an error naming what changed
(OUT/fingerprints.json holds the record).
"""
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import PRESETS


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
                             "trackers, --protocol otb); fps is then the aggregate frames per second")
    parser.add_argument("--protocol", choices=("otb", "vot"), default="otb",
                        help="otb: one pass, success AUC and precision (default); vot: supervised runs with "
                             "re-initialisation (EAO, accuracy, robustness) and the realtime experiment")
    parser.add_argument("--vot-preset", choices=sorted(PRESETS),
                        help="with --protocol vot, the EAO range: vot2016 [108, 371] (default), vot2017 / vot2018 "
                             "[100, 356]")


def run(args):
    from tf_lu.evaluation.protocols import make_protocol
    from tf_lu.tracking.names import check_tracker_names
    names = comma_list(args.trackers)
    if not names:
        raise TfLuError("--trackers: no tracker names given")
    if args.max_frames is not None and args.max_frames < 1:
        raise TfLuError(f"--max-frames must be at least 1, got {args.max_frames}")
    check_tracker_names(names)                 # names and data are checked before TensorFlow loads
    settings = {"preset": args.vot_preset} if args.vot_preset else {}
    if settings and args.protocol != "vot":
        raise TfLuError("--vot-preset works with --protocol vot only")
    protocol = make_protocol(args.protocol, **settings)
    sequences = protocol.read_sequences(args.data, comma_list(args.sequences), args.max_frames)
    from tf_lu.evaluation.benchmark import run_benchmark
    summary = run_benchmark(names, sequences, args.out, protocol, progress=not args.no_progress,
                            streams=args.batch_streams)
    print(protocol.markdown_table(summary))
    print(f"\nresults, summary.json, summary.md and plots in {args.out}")
