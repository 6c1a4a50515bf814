"""Export a tracker's whole step (crops, network, response, box, template update) as a TensorFlow SavedModel.

    tf-lu export --tracker siamfc-learned --out exported/siamfc-learned [--check-data DIR [--sequences a,b]]

Writes a SavedModel with the signatures init(frame, box) -> state and step(frame, state) -> box, score, state
(serving_default), any frame size, plus init_batch / step_batch for many streams per call, and MODEL_CARD.md (tracker,
weights, signatures, saved_model_cli commands).  Serve it without tf_lu: examples/serve_savedmodel.py.
With --check-data the export is loaded back and run against the Python tracker over the OTB sequences of DIR, in turn
per sequence: both fps and the largest box difference are printed.  Trackers whose update runs on the host
(siamfc-sgd) and OpenCV trackers cannot be exported.
"""
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--tracker", required=True,
                        help="tracker name (siamfc-none, siamfc-ema, siamfc-learned) or a tracker config file")
    parser.add_argument("--out", required=True, metavar="DIR", help="new or empty folder for the SavedModel")
    parser.add_argument("--check-data", metavar="DIR",
                        help="after exporting, compare the served model with the Python tracker on these sequences")
    parser.add_argument("--sequences", help="with --check-data: comma-separated sequence names (default: all)")


def run(args):
    from tf_lu.export.exporter import export_tracker
    result = export_tracker(args.tracker, args.out)
    for name in result["signatures"]:
        print(f"signature {name}")
    print(f"SavedModel and {result['card']} written; inspect with: saved_model_cli show --dir {args.out} --all")
    if args.check_data:
        from tf_lu.data.sequences import read_otb_folders
        from tf_lu.export.check import TABLE_HEAD, ServedTracker, compare_with_python, table_row
        from tf_lu.tracking.registry import build_tracker
        sequences = read_otb_folders(args.check_data, comma_list(args.sequences) or None)
        print(TABLE_HEAD, flush=True)
        result = compare_with_python(ServedTracker(args.out), build_tracker(args.tracker), sequences,
                                     report=lambda name, row: print(table_row(name, row), flush=True))
        print(table_row("all", result))
