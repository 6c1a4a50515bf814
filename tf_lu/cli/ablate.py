"""Ablations of the learned updater: train every variant in configs/ablations/ (or --variants) with one budget, then
benchmark them together (plus any --extra trackers) and write a markdown table.

    tf-lu ablate --features records/feat --data ../shared/data/eval_dev --steps 300 --out results/ablations

Variant siamfc-learned-<name> is trained into OUT/<name>/ (kept and reused when the command is run again).
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--features", required=True, type=checks.input_folder,
                        help="cached features (tf-lu cache-features)")
    parser.add_argument("--data", required=True, type=checks.input_folder, help="OTB-layout evaluation sequences")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--steps", type=checks.positive_int, default=300,
                        help="meta-training steps per variant (same for all)")
    parser.add_argument("--variants", help="comma-separated subset of the ablation names")
    parser.add_argument("--extra", default="siamfc-none,siamfc-ema", help="trackers benchmarked alongside")
    parser.add_argument("--train-only", action="store_true")


def run(args):
    extra = checks.trackers(comma_list(args.extra))
    from tf_lu.apps.ablate import run_ablations
    table = run_ablations(args.features, args.data, args.out, args.steps, comma_list(args.variants), extra,
                          args.train_only)
    if table is not None:
        print(table)
