"""Mine hard negatives: the pairs on which a trained extractor's strongest false peak comes nearest to (or beats) the
target, written as a pair-record folder to mix into training.

    tf-lu mine-hard-pairs --config configs/trackers/siamfc-none.yaml --records records/pairs_negatives \
        --out records/pairs_hard --fraction 0.25 [--limit 12000] [--weights runs/x/model.weights.h5]
    tf-lu train-extractor --config ... --records records/pairs_negatives:0.7 --records records/pairs_hard:0.3 ...
"""
from tf_lu.cli import checks


def add_arguments(parser):
    parser.add_argument("--config", required=True, help="experiment whose 'weights' name the extractor that mines")
    parser.add_argument("--weights", help="extractor weights (overrides the config)")
    parser.add_argument("--records", required=True, help="folder of pairs-*.tfrecord to score")
    parser.add_argument("--out", required=True, type=checks.output_folder, help="folder for the mined pair records")
    parser.add_argument("--fraction", type=checks.share, default=0.25,
                        help="share of the scored pairs to keep, above 0 and at most 1 (hardest first)")
    parser.add_argument("--limit", type=checks.positive_int, help="score only the first LIMIT pairs (file order)")
    parser.add_argument("--shards", type=checks.positive_int, default=4)
    parser.add_argument("--batch-size", type=checks.positive_int, default=32)
    parser.add_argument("--no-progress", action="store_true")


def run(args):
    from tf_lu.config import load_config
    config = load_config(args.config, {"weights": args.weights} if args.weights else None)
    from tf_lu.models.networks import load_network
    from tf_lu.training.hard_mining import mine_hard_pairs
    manifest = mine_hard_pairs(load_network(config), args.records, args.out, config.train, config.track.total_stride,
                               fraction=args.fraction, limit=args.limit, shards=args.shards,
                               batch_size=args.batch_size, progress=not args.no_progress)
    for kind in ("one_object", "negative"):
        if kind in manifest:
            part = manifest[kind]
            print(f"{kind.replace('_', ' ')} pairs: kept {part['kept']} of {part['scored']} (false-peak margin >= "
                  f"{part['threshold']:.3f}; a false peak wins on {part['false_peak_wins']})")
    print(f"{manifest['count']} mined pairs in {args.out}")
