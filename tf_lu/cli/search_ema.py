"""Search EMA's alpha (0.01..0.20 step 0.01, the paper's grid) with keras-tuner on TRAINING sequences.

    tf-lu search ema --data ../shared/data/train --out runs/ema_search [--config my-ema.yaml]

Resumable: finished trials in --out are kept.  Prints the AUC per alpha and the best one, and writes them to
OUT/ema_search.json and the curve to OUT/ema_search.png.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError
from tf_lu.resources import shipped_config


def add_arguments(parser):
    parser.add_argument("--config", default=shipped_config("trackers/siamfc-ema"),
                        help="EMA tracker config (default: the shipped siamfc-ema)")
    parser.add_argument("--data", required=True, type=checks.input_folder,
                        help="OTB-layout training sequences (never evaluation data)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--max-frames", type=checks.positive_int, help="use only the first N frames of every sequence")
    parser.add_argument("--alphas", help="comma-separated alphas to try (default: the paper's grid 0.01..0.20)")


def parse_alphas(text):
    """``"0.01,0.05"`` -> ``[0.01, 0.05]``; ``None`` for the default grid; anything outside (0, 1] is an error."""
    if text is None:
        return None
    try:
        alphas = [float(value) for value in comma_list(text)]
    except ValueError:
        raise TfLuError(f"--alphas: expected comma-separated numbers, got {text!r}") from None
    if not alphas or not all(0.0 < alpha <= 1.0 for alpha in alphas):
        raise TfLuError(f"--alphas: every alpha must lie in (0, 1], got {text!r}")
    return alphas


def run(args):
    alphas = parse_alphas(args.alphas)
    from tf_lu.apps.search_ema import search_ema
    best, scores = search_ema(args.config, args.data, args.out, args.max_frames, alphas)
    for alpha, auc in scores.items():
        print(f"alpha {alpha:.2f}: AUC {auc:.4f}")
    print(f"best alpha: {best:.2f}")
