"""Export a tracker's whole step (crops, network, response, box, template update) as a TensorFlow SavedModel.

    tf-lu export --tracker siamfc-learned --out exported/siamfc-learned [--check-data DIR [--sequences a,b]]

Writes a SavedModel with the signatures init(frame, box) -> state and step(frame, state) -> box, score, state
(serving_default), any frame size, plus init_batch / step_batch for many streams per call, and MODEL_CARD.md (tracker,
weights, signatures, saved_model_cli commands).  Serve it without tf_lu: examples/serve_savedmodel.py.
With --check-data the export is loaded back and run against the Python tracker over the OTB sequences of DIR, in turn
per sequence: both fps and the largest box difference are printed.  Trackers whose update runs on the host
(siamfc-sgd) and OpenCV trackers cannot be exported.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--tracker", required=True,
                        help="tracker name (siamfc-none, siamfc-ema, siamfc-learned) or a tracker config file")
    parser.add_argument("--out", required=True, metavar="DIR", type=checks.new_folder,
                        help="new or empty folder for the SavedModel")
    parser.add_argument("--check-data", metavar="DIR", type=checks.input_folder,
                        help="after exporting, compare the served model with the Python tracker on these sequences")
    parser.add_argument("--sequences", help="with --check-data: comma-separated sequence names (default: all)")


def run(args):
    checks.needs(args, "sequences", "check-data")
    checks.trackers([args.tracker])
    from tf_lu.export.exporter import export_and_check
    export_and_check(args.tracker, args.out, args.check_data, comma_list(args.sequences),
                     report=lambda line: print(line, flush=True))
