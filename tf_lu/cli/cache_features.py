"""Cache the frozen extractor's search features of sequence records (for meta-training the updater).

    tf-lu cache-features --config configs/updater_siamfc_half.yaml --sequences records/seq_train_crops \
        --sequences records/seq_synthetic --out records/feat \
        [--jitter-sigma 8 --jitter-scale 0.04]   # search regions off the target, as in tracking
        [--mirror]                               # left-right flipped copies (shards named ...-mirror.tfrecord)
    tf-lu cache-features --config configs/updater_cfnet_conv3.yaml --sequences records/seq_train_crops \
        --out records/feat_cfnet                 # CFNet's features (stride 4: 53x53x32 per 255 crop)
"""
from tf_lu.cli import checks


def add_arguments(parser):
    parser.add_argument("--config", required=True,
                        help="experiment whose 'weights' name the frozen extractor (backbone.kind: siamfc or cfnet)")
    parser.add_argument("--weights", help="extractor weights (overrides the config)")
    parser.add_argument("--sequences", required=True, action="append", type=checks.input_folder,
                        help="folder of seq-L*-*.tfrecord (repeat to cache several into one --out)")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--jitter-sigma", type=checks.non_negative_float, default=0.0,
                        help="tracking-like search regions: shift sigma in 255-crop pixels (0: ground-truth centred)")
    parser.add_argument("--jitter-limit", type=checks.non_negative_float, default=24.0, help="largest shift, pixels")
    parser.add_argument("--jitter-scale", type=checks.within(0.0, 0.9), default=0.0,
                        help="scale perturbation within 1 +- this (0 to 0.9)")
    parser.add_argument("--jitter-seed", type=checks.non_negative_int, default=0)
    parser.add_argument("--mirror", action="store_true",
                        help="cache left-right flipped copies of the sequences (augmentation; names are kept)")


def run(args):
    from tf_lu.config import load_config
    config = load_config(args.config, {"weights": args.weights} if args.weights else None)
    from tf_lu.models.networks import load_network
    from tf_lu.training.feature_cache import SearchJitter, cache_features
    jitter = SearchJitter(args.jitter_sigma, args.jitter_limit, args.jitter_scale, args.jitter_seed)
    cache_features(args.sequences, args.out, load_network(config).backbone, source=config.weights, jitter=jitter,
                   mirror=args.mirror, crop_size=config.track.instance_size)
    print(f"features cached in {args.out}")
