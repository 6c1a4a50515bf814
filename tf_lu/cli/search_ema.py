"""Search EMA's alpha (0.01..0.20 step 0.01, the paper's grid) with keras-tuner on TRAINING sequences.

    tf-lu search ema --data ../shared/data/train --out runs/ema_search [--config my-ema.yaml]

Resumable: finished trials in --out are kept.  Prints the AUC per alpha and the best one, and writes them to
OUT/ema_search.json and the curve to OUT/ema_search.png.
"""
from tf_lu.cli import checks
from tf_lu.resources import shipped_config


def add_arguments(parser):
    parser.add_argument("--config", default=shipped_config("trackers/siamfc-ema"),
                        help="EMA tracker config (default: the shipped siamfc-ema)")
    parser.add_argument("--data", required=True, type=checks.input_folder,
                        help="OTB-layout training sequences (never evaluation data)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--max-frames", type=checks.positive_int, help="use only the first N frames of every sequence")


def run(args):
    from tf_lu.apps.search_ema import search_ema
    best, scores = search_ema(args.config, args.data, args.out, args.max_frames)
    for alpha, auc in scores.items():
        print(f"alpha {alpha:.2f}: AUC {auc:.4f}")
    print(f"best alpha: {best:.2f}")
