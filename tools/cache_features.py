"""Cache the frozen extractor's search features of sequence records (for meta-training the updater).

python tools/cache_features.py --config configs/updater_siamfc_half.yaml --sequences records/seq_train_crops --sequences records/seq_synthetic --out records/feat
"""
import argparse

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", required=True, help="experiment whose 'weights' name the frozen extractor")
    parser.add_argument("--weights", help="extractor weights (overrides the config)")
    parser.add_argument("--sequences", required=True, action="append",
                        help="folder of seq-L*-*.tfrecord (repeat to cache several into one --out)")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    from tf_lu.config import load_config
    from tf_lu.tracker import load_siamfc_network
    from tf_lu.training.feature_cache import cache_features
    config = load_config(args.config, {"weights": args.weights} if args.weights else None)
    network = load_siamfc_network(config)
    for folder in args.sequences:
        cache_features(folder, args.out, network.backbone, source=config.weights)
    print(f"features cached in {args.out}")


if __name__ == "__main__":
    _bootstrap.run(main)
