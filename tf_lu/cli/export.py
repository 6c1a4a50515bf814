"""Export a tracker's step: as a TensorFlow SavedModel (the whole step in one graph), or as LiteRT (TFLite) models that
track with NumPy and the LiteRT interpreter alone.

    tf-lu export --tracker siamfc-learned --out exported/siamfc-learned [--check-data DIR [--sequences a,b]]
    tf-lu export --format tflite --tracker siamfc-none --out exported/siamfc-none-tflite [--precision int8]

SavedModel: the signatures init(frame, box) -> state and step(frame, state) -> box, score, state (serving_default), any
frame size, plus init_batch / step_batch for many streams per call, and MODEL_CARD.md (tracker, weights, signatures,
saved_model_cli commands).  Serve it without tf_lu: examples/serve_savedmodel.py.
TFLite: backbone.tflite (the feature extractor at --precision float32 | float16 | dynamic | int8; int8 calibrated on
--calibration DIR, OTB-layout sequences such as the training crops, else on generated sequences), start.tflite and
locate.tflite (the float32 head: correlation, upsampling, peak, updater), tracker.json, MODEL_CARD.md and
track_tflite.py, which tracks OTB folders with them (the same file as examples/track_tflite.py); updates none and
learned.
With --check-data the export is run beside the Python tracker over the OTB sequences of DIR, in turn per sequence:
both fps and the largest box difference are printed.  Trackers whose update runs on the host (siamfc-sgd) and OpenCV
trackers cannot be exported.
"""
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--tracker", required=True,
                        help="tracker name (siamfc-none, siamfc-ema, siamfc-learned) or a tracker config file")
    parser.add_argument("--out", required=True, metavar="DIR", help="new or empty folder for the export")
    parser.add_argument("--format", choices=("savedmodel", "tflite"), default="savedmodel",
                        help="savedmodel (default) or tflite")
    parser.add_argument("--precision", choices=("float32", "float16", "dynamic", "int8"), default="float32",
                        help="tflite: the feature extractor's precision (default float32)")
    parser.add_argument("--calibration", metavar="DIR", help="tflite int8: OTB-layout sequences to calibrate on")
    parser.add_argument("--check-data", metavar="DIR",
                        help="after exporting, compare the export with the Python tracker on these sequences")
    parser.add_argument("--sequences", help="with --check-data: comma-separated sequence names (default: all)")


def run(args):
    if args.format == "tflite":
        from tf_lu.export.litert_host import LiteRTTracker
        from tf_lu.export.tflite import export_tflite
        result = export_tflite(args.tracker, args.out, args.precision, args.calibration)
        print(f"{', '.join(result['files'])} written to {args.out}")
        exported = lambda: LiteRTTracker(args.out)
    else:
        from tf_lu.export.check import ServedTracker
        from tf_lu.export.exporter import export_tracker
        result = export_tracker(args.tracker, args.out)
        for name in result["signatures"]:
            print(f"signature {name}")
        print(f"SavedModel and {result['card']} written; inspect with: saved_model_cli show --dir {args.out} --all")
        exported = lambda: ServedTracker(args.out)
    if args.check_data:
        from tf_lu.data.sequences import read_otb_folders
        from tf_lu.export.check import TABLE_HEAD, compare_with_python, table_row
        from tf_lu.tracking.registry import build_tracker
        sequences = read_otb_folders(args.check_data, comma_list(args.sequences) or None)
        print(TABLE_HEAD, flush=True)
        python = build_tracker(args.tracker, {"runtime": "keras", "precision": "float32"})
        result = compare_with_python(exported(), python, sequences,
                                     report=lambda name, row: print(table_row(name, row), flush=True))
        print(table_row("all", result))
