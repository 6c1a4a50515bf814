"""Score a trained learned updater on held-out sequences at the loss level, against never updating.

    tf-lu evaluate-updater --config configs/trackers/siamfc-learned.yaml --features records/feat --hold-out a,b

Runs the sequences named by meta.hold_out (or --hold-out) through the updater as meta-training does (positions
estimated from its own responses) and prints the mean classification loss cls (the config's meta.loss: logistic or
softmax) beside cls_none, the same loss for theta_1 never updated: cls below cls_none means the updater beats no
update on those sequences.  Also peak_error beside peak_error_none: the mean distance, in response cells, from the
response peak to the target.
"""
import json

from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--config", required=True, help="a learned-updater config (updater.kind: learned)")
    parser.add_argument("--features", required=True, help="folder of feat-L*-*.tfrecord (tf-lu cache-features)")
    parser.add_argument("--weights", help="updater weights (default: the config's updater.learned.weights)")
    parser.add_argument("--hold-out", help="comma-separated sequence names (default: the config's meta.hold_out)")
    parser.add_argument("--out", type=checks.output_file, help="also write the scores to this JSON file")


def run(args):
    from tf_lu.config import load_config
    hold_out = comma_list(args.hold_out)
    config = load_config(args.config, {"meta": {"hold_out": hold_out}} if hold_out else None)
    checks.config_of_kind(config, "learned", args.config, "evaluate-updater")
    weights = args.weights or config.updater.learned.weights
    if not weights:
        raise TfLuError(f"{args.config} names no updater weights (key 'updater.learned.weights'); pass --weights")
    from tf_lu.apps.evaluate_updater import score_updater
    print(json.dumps(score_updater(config, args.features, weights, args.out, args.config), indent=2))
