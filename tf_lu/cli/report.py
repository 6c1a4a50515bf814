"""Regenerate the tables, plots and summary.json of a benchmark from its raw OTB result files (no tracking).

    tf-lu report --results docs/results/eval_dev/results --data ../shared/data/eval_dev --out /tmp/report

Several data sets at once, each with its own results, apart and pooled (the evidence for a choice):

    tf-lu report --set val=results/val/results:../shared/data/val \
                 --set eval_dev=results/eval_dev/results:../shared/data/eval_dev --reference siamfc-none --out /tmp/r

writes <out>/<set>/ (each set's report) and <out>/evidence.md / evidence.json (mean AUC per set and pooled, each
tracker against --reference with a paired bootstrap interval).
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--set", action="append", dest="sets", metavar="NAME=RESULTS:DATA",
                        help="a data set with its results folder (repeat for several; instead of --results/--data)")
    parser.add_argument("--results",
                        help="folder with one sub-folder of <seq>.txt per tracker (several runs: comma-separated; "
                             "their files are gathered into <out>/gathered_results first)")
    parser.add_argument("--data",
                        help="the OTB-layout sequences the results are for (several folders: comma-separated)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--reference", help="tracker the others are compared with (default: the first)")
    parser.add_argument("--trackers", help="comma-separated tracker folders to include, in this order (default: all)")
    parser.add_argument("--machine", help="machine description to record (default: this machine)")
    parser.add_argument("--merge", action="append",
                        help="with several --results: report trackers as one, e.g. "
                             "siamfc-learned-out-of-fold=siamfc-learned-fold0,siamfc-learned-fold1 "
                             "(repeat the option, or separate with ';', for several)")
    parser.add_argument("--sweep", metavar="PREFIX",
                        help="also tabulate and plot mean AUC against the number in the names of the trackers "
                             "called PREFIX<number> (e.g. siamfc-ema- for siamfc-ema-0.01 .. siamfc-ema-0.20): "
                             "<out>/sweep.md and sweep.png, intervals against --reference when given")
    parser.add_argument("--sweep-label", default="value", help="x-axis label of the sweep plot")
    parser.add_argument("--sweep-log", action="store_true", help="logarithmic x axis for the sweep plot")
    parser.add_argument("--speed-plot", action="store_true",
                        help="also tabulate and plot mean AUC against fps, one point per tracker, with fps and AUC "
                             "relative to --reference: <out>/speed_auc.md and speed_auc.png")


def parse_sets(texts):
    """``["val=R:D", ...]`` -> ``{"val": ("R", "D"), ...}``; a malformed or repeated set is a TfLuError."""
    sets = {}
    for text in texts:
        name, _, paths = text.partition("=")
        results, _, data = paths.rpartition(":")
        if not name or not results or not data:
            raise TfLuError(f"--set must be NAME=RESULTS:DATA, got {text!r}")
        if name in sets:
            raise TfLuError(f"--set {name!r} is given twice")
        sets[name] = (results, data)
    return sets


def run(args):
    if args.sets:
        if args.results or args.data or args.merge or args.sweep:
            raise TfLuError("--set replaces --results and --data (and works without --merge and --sweep)")
        from tf_lu.apps.report import report_sets
        print(report_sets(args.out, parse_sets(args.sets), trackers=comma_list(args.trackers) or None,
                          machine=args.machine, reference=args.reference))
        return
    results = comma_list(args.results)
    if not results or not args.data:
        raise TfLuError("give --results and --data, or one --set per data set")
    from tf_lu.apps.report import report_results
    from tf_lu.evaluation.otb import markdown_table
    summary, sweep = report_results(args.out, results, args.data,
                                    trackers=comma_list(args.trackers) or None, machine=args.machine,
                                    reference=args.reference, merges=args.merge, sweep=args.sweep,
                                    sweep_label=args.sweep_label, sweep_log=args.sweep_log)
    print(markdown_table(summary))
    if sweep:
        print(sweep)
    if args.speed_plot:
        from tf_lu.evaluation.speed_plot import write_speed_plot
        print(write_speed_plot(args.out, summary, args.reference))
