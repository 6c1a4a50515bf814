"""Meta-train the learned updater (stateful truncated BPTT, model.fit) on cached features; rerun to resume.

    tf-lu train-updater --config configs/updater_siamfc_half.yaml --features records/feat --out runs/updater
    tf-lu train-updater --config configs/updater_cfnet_conv3.yaml --features records/feat_cfnet \
        --out runs/updater_cfnet_conv3 [--hold-out blackswan,bmx-trees,...]   # out of fold: meta.hold_out

The config's ``backbone.kind`` (siamfc or cfnet) names the base tracker whose head (g, respond) the updater is
trained with; the features must be that extractor's (tf-lu cache-features with the same config).
"""
from tf_lu.cli import checks
from tf_lu.cli.distribution import add_distribution_arguments, strategy_from


def add_arguments(parser):
    parser.add_argument("--config", required=True)
    parser.add_argument("--weights", help="extractor weights (overrides the config)")
    parser.add_argument("--features", required=True, help="folder of feat-L*-*.tfrecord (tf-lu cache-features)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--hold-out", help="comma-separated sequence names left out of meta-training and scored "
                                           "every epoch (overrides the config's meta.hold_out)")
    parser.add_argument("--steps", type=int, help="optimisation steps in all (a finished run given more continues)")
    parser.add_argument("--skip-unreadable", action="store_true",
                        help="leave out unreadable records of corrupt shards (counted in the summary) instead of "
                             "stopping with an error")
    add_distribution_arguments(parser)


def run(args):
    from tf_lu.cli.common import comma_list
    from tf_lu.config import load_config
    overrides = {}
    if args.weights:
        overrides["weights"] = args.weights
    meta = {}
    if args.steps is not None:
        meta["steps"] = args.steps
    if args.hold_out:
        meta["hold_out"] = comma_list(args.hold_out)
    if meta:
        overrides["meta"] = meta
    config = checks.config_of_kind(load_config(args.config, overrides), "learned", args.config, "train-updater")
    strategy = strategy_from(args)
    from tf_lu.models.networks import load_network
    from tf_lu.training.meta import train_updater
    summary = train_updater(config, load_network(config), args.features, args.out, strategy=strategy,
                            precision=args.precision, skip_unreadable=args.skip_unreadable)
    if "message" in summary:
        print(summary["message"])
    print({k: v for k, v in summary.items() if k not in ("history", "message")})
