"""Search the learned updater's hidden units, lambda, interval M, dropout and unroll H with keras-tuner, scored out of
fold on crop walks of TRAINING sequences (never evaluation data).  Rerun the same command to continue a search.

    tf-lu make-crop-walk --crops ../shared/data/train_crops --out records/crop_walk --folds 2
    tf-lu search updater --config configs/trackers/siamfc-learned.yaml --features records/feat \\
        --crop-walks records/crop_walk --out runs/updater_search --trials 8 --steps 300

--features: cached features of the same training sequences (tf-lu cache-features).  Every trial meta-trains one
updater per fold without that fold and tracks the fold's crop walks with it.  In parallel (keras-tuner chief/worker):
the same command with KERASTUNER_ORACLE_IP, KERASTUNER_ORACLE_PORT and KERASTUNER_TUNER_ID=chief on one process
(serves the oracle, writes the report) and KERASTUNER_TUNER_ID=tuner0, tuner1, ... on the others (run trials).
Writes OUT/trials.md, trials.json, trials.png and best_tracker.yaml.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.resources import shipped_config


def add_arguments(parser):
    parser.add_argument("--config", default=shipped_config("trackers/siamfc-learned"),
                        help="learned tracker config to search around (default: the shipped siamfc-learned)")
    parser.add_argument("--features", required=True, help="feature records of the training sequences")
    parser.add_argument("--crop-walks", required=True, help="crop walks with folds.json (tf-lu make-crop-walk --folds)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--trials", type=checks.positive_int, default=8)
    parser.add_argument("--steps", type=checks.positive_int, default=300, help="meta-training steps per fold and trial")
    parser.add_argument("--max-frames", type=checks.positive_int, default=150, help="tracked frames of each crop walk")
    parser.add_argument("--seed", type=checks.non_negative_int, default=0)
    parser.add_argument("--hidden", default="16,32,64,96", help="choices of hidden units")
    parser.add_argument("--interval", default="1,2,3,5", help="choices of the interval M")
    parser.add_argument("--unroll", default="5,25", help="choices of H (each dividing every feature bucket length)")
    parser.add_argument("--lambda-range", default="0.0,0.8,0.1", help="LOW,HIGH,STEP of lambda")
    parser.add_argument("--dropout-range", default="0.0,0.3,0.1", help="LOW,HIGH,STEP of dropout")


def _numbers(text, kind, name, count=None):
    from tf_lu.errors import TfLuError
    try:
        values = tuple(kind(v) for v in comma_list(text))
    except ValueError:
        raise TfLuError(f"--{name}: expected comma-separated numbers, got {text!r}") from None
    if not values or (count and len(values) != count):
        raise TfLuError(f"--{name}: expected {count or 'at least one'} comma-separated numbers, got {text!r}")
    return values


def run(args):
    from tf_lu.apps.search_updater import SearchBudget, UpdaterSpace, search_updater
    from tf_lu.apps.search_updater_report import trials_markdown
    space = UpdaterSpace(hidden=_numbers(args.hidden, int, "hidden"), interval=_numbers(args.interval, int, "interval"),
                         unroll=_numbers(args.unroll, int, "unroll"),
                         anchor_lambda=_numbers(args.lambda_range, float, "lambda-range", 3),
                         dropout=_numbers(args.dropout_range, float, "dropout-range", 3))
    budget = SearchBudget(trials=args.trials, steps=args.steps, max_frames=args.max_frames, seed=args.seed)
    rows = search_updater(args.config, args.features, args.crop_walks, args.out, space, budget)
    if rows is not None:
        print(trials_markdown(rows))
        print(f"best: {args.out}/best_tracker.yaml")
