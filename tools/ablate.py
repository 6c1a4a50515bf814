"""Ablations of the learned updater: train every variant in configs/ablations/ (or --variants) with one budget, then
benchmark them together (plus any --extra trackers) and write a markdown table.

python tools/ablate.py --features records/feat --data ../shared/data/eval_dev --steps 300 --out results/ablations
"""
import argparse
import os

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", required=True, help="cached features (tools/cache_features.py)")
    parser.add_argument("--data", required=True, help="OTB-layout evaluation sequences")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int, default=300, help="meta-training steps per variant (same for all)")
    parser.add_argument("--variants", help="comma-separated subset of the ablation names")
    parser.add_argument("--extra", default="siamfc-none,siamfc-ema", help="trackers benchmarked alongside")
    parser.add_argument("--train-only", action="store_true")
    args = parser.parse_args()
    from tf_lu.apps.ablation import ablation_names, ablation_table, train_variant
    from tf_lu.data.sequences import read_otb_dataset
    from tf_lu.errors import TfLuError
    from tf_lu.evaluation.otb import run_benchmark
    names = args.variants.split(",") if args.variants else ablation_names()
    unknown = set(names) - set(ablation_names())
    if unknown:
        raise TfLuError(f"unknown ablation variant(s): {', '.join(sorted(unknown))}")
    trained = {name: train_variant(name, args.features, args.steps) for name in names}
    if args.train_only:
        return
    extra = [n for n in args.extra.split(",") if n]
    summary = run_benchmark(extra + names, read_otb_dataset(args.data), args.out)
    table = ablation_table(summary, trained)
    with open(os.path.join(args.out, "ablations.md"), "w", encoding="utf-8") as handle:
        handle.write(table + "\n")
    print(table)


if __name__ == "__main__":
    _bootstrap.run(main)
