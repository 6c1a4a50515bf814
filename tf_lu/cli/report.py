"""Regenerate the tables, plots and summary.json of a benchmark from its raw OTB result files (no tracking).

    tf-lu report --results docs/results/eval_dev/results --data ../shared/data/eval_dev --out /tmp/report
"""
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--results", required=True,
                        help="folder with one sub-folder of <seq>.txt per tracker (several runs: comma-separated; "
                             "their files are gathered into <out>/gathered_results first)")
    parser.add_argument("--data", required=True,
                        help="the OTB-layout sequences the results are for (several folders: comma-separated)")
    parser.add_argument("--out", required=True)
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


def run(args):
    from tf_lu.apps.report import report_results
    from tf_lu.evaluation.otb import markdown_table
    result_dirs = [f for f in args.results.split(",") if f] or [args.results]
    summary = report_results(args.out, result_dirs, args.data, trackers=comma_list(args.trackers) or None,
                             machine=args.machine, reference=args.reference, merges=args.merge)
    print(markdown_table(summary))
    if args.sweep:
        from tf_lu.evaluation.sweep import write_sweep
        print(write_sweep(args.out, summary, args.sweep, args.reference, args.sweep_label, args.sweep_log))
    if args.speed_plot:
        from tf_lu.evaluation.speed_plot import write_speed_plot
        print(write_speed_plot(args.out, summary, args.reference))
