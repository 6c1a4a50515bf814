"""Score a trained learned updater on held-out sequences at the loss level, against never updating.

    tf-lu evaluate-updater --config configs/trackers/siamfc-learned.yaml --features records/feat --hold-out a,b

Runs the sequences named by meta.hold_out (or --hold-out) through the updater as meta-training does (positions
estimated from its own responses) and prints the mean classification loss cls (the config's meta.loss: logistic or
softmax) beside cls_none, the same loss for theta_1 never updated: cls below cls_none means the updater beats no
update on those sequences.  Also peak_error beside peak_error_none: the mean distance, in response cells, from the
response peak to the target.
"""
import json

from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--config", required=True)
    parser.add_argument("--features", required=True, help="folder of feat-L*-*.tfrecord (tf-lu cache-features)")
    parser.add_argument("--weights", help="updater weights (default: the config's updater.learned.weights)")
    parser.add_argument("--hold-out", help="comma-separated sequence names (default: the config's meta.hold_out)")
    parser.add_argument("--out", help="also write the scores to this JSON file")


def run(args):
    from tf_lu.apps.updater_scores import score_updater
    record = score_updater(args.config, args.features, args.weights, comma_list(args.hold_out))
    print(json.dumps(record, indent=2))
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(record, handle, indent=2)
