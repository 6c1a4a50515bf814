"""Search EMA's alpha (0.01..0.20 step 0.01, the paper's grid) with keras-tuner on TRAINING sequences.

python tools/search_ema.py --config configs/trackers/siamfc-ema.yaml --data ../shared/data/train --out runs/ema_search
Resumable: finished trials in --out are kept.  Prints the AUC per alpha and the best one, and writes them to
OUT/ema_search.json and the curve to OUT/ema_search.png.
"""
import argparse
import json
import os

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", default="configs/trackers/siamfc-ema.yaml")
    parser.add_argument("--data", required=True, help="OTB-layout training sequences (never evaluation data)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--max-frames", type=int)
    args = parser.parse_args()
    from tf_lu.config import load_config
    from tf_lu.data.sequences import read_otb_dataset
    from tf_lu.evaluation.otb import truncate_sequence
    from tf_lu.apps.tuning import search_ema_alpha
    sequences = read_otb_dataset(args.data)
    if args.max_frames:
        sequences = [truncate_sequence(s, args.max_frames) for s in sequences]
    best, scores = search_ema_alpha(load_config(args.config), sequences, args.out)
    for alpha, auc in scores.items():
        print(f"alpha {alpha:.2f}: AUC {auc:.4f}")
    print(f"best alpha: {best:.2f}")
    data_name = os.path.basename(os.path.normpath(args.data))
    with open(os.path.join(args.out, "ema_search.json"), "w", encoding="utf-8") as handle:
        json.dump({"data": data_name, "best": best,
                   "auc": {f"{a:.2f}": s for a, s in scores.items()}}, handle, indent=2)
    from tf_lu.evaluation.sweep import SweepPoint, plot_sweep
    points = [SweepPoint(a, f"ema-{a:.2f}", auc, float("nan")) for a, auc in scores.items()]
    plot_sweep(points, os.path.join(args.out, "ema_search.png"), "EMA alpha", title=f"EMA alpha on {data_name}")


if __name__ == "__main__":
    _bootstrap.run(main)
