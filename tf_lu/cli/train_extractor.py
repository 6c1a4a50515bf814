"""Train the SiamFC feature extractor with model.fit on pair records (resumable: rerun the same command).

    tf-lu train-extractor --config configs/siamfc_half.yaml --records records/pairs --out runs/siamfc_half

Mix curated sets with weights (tf_lu.data.mixing): --records records/got10k:0.7 --records records/vid:0.3
"""
from tf_lu.cli import checks
from tf_lu.cli.distribution import add_distribution_arguments, strategy_from


def add_arguments(parser):
    parser.add_argument("--config", help="YAML experiment file")
    parser.add_argument("--records", required=True, action="append",
                        help="folder of pairs-*.tfrecord; repeat with :WEIGHT suffixes to mix sets "
                             "(--records a:0.7 --records b:0.3)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--steps", type=int, help="optimisation steps in all (a finished run given more continues)")
    parser.add_argument("--skip-unreadable", action="store_true",
                        help="leave out unreadable records of corrupt shards (counted in the summary) instead of "
                             "stopping with an error")
    parser.add_argument("--steps-per-epoch", type=int)
    add_distribution_arguments(parser)


def run(args):
    from tf_lu.config import load_config
    from tf_lu.data.mixing import parse_weighted_paths
    overrides = {"train": {k: v for k, v in (("steps", args.steps), ("steps_per_epoch", args.steps_per_epoch))
                           if v is not None}}
    config = load_config(args.config, overrides)
    records = parse_weighted_paths(args.records)
    strategy = strategy_from(args)
    from tf_lu.training.extractor import train_extractor
    summary = train_extractor(config, records, args.out, strategy=strategy, precision=args.precision,
                              skip_unreadable=args.skip_unreadable)
    if "message" in summary:
        print(summary["message"])
    print({k: v for k, v in summary.items() if k != "message"})
