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
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--tracker", required=True,
                        help="tracker name (siamfc-none, siamfc-ema, siamfc-learned) or a tracker config file")
    parser.add_argument("--out", required=True, metavar="DIR", type=checks.new_folder,
                        help="new or empty folder for the export")
    parser.add_argument("--format", choices=("savedmodel", "tflite"), default="savedmodel",
                        help="savedmodel (default) or tflite")
    parser.add_argument("--precision", choices=("float32", "float16", "dynamic", "int8"), default="float32",
                        help="tflite: the feature extractor's precision (default float32)")
    parser.add_argument("--calibration", metavar="DIR", type=checks.input_folder,
                        help="tflite int8: OTB-layout sequences to calibrate on (default: generated sequences)")
    parser.add_argument("--check-data", metavar="DIR", type=checks.input_folder,
                        help="after exporting, compare the export with the Python tracker on these sequences")
    parser.add_argument("--sequences", help="with --check-data: comma-separated sequence names (default: all)")


def run(args):
    checks.needs(args, "sequences", "check-data")
    if args.format != "tflite" and (args.precision != "float32" or args.calibration):
        raise TfLuError("--precision and --calibration are options of --format tflite")
    checks.trackers([args.tracker])
    from tf_lu.export.exporter import export_and_check
    export_and_check(args.tracker, args.out, args.check_data, comma_list(args.sequences),
                     report=lambda line: print(line, flush=True), fmt=args.format, precision=args.precision,
                     calibration=args.calibration)
