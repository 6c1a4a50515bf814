"""Train the SiamFC feature extractor with model.fit on pair records (resumable: rerun the same command).

python tools/train_extractor.py --config configs/siamfc_half.yaml --records records/pairs --out runs/siamfc_half
"""
import argparse

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", help="YAML experiment file")
    parser.add_argument("--records", required=True, help="folder of pairs-*.tfrecord")
    parser.add_argument("--out", required=True)
    parser.add_argument("--steps", type=int)
    parser.add_argument("--steps-per-epoch", type=int)
    args = parser.parse_args()
    from tf_lu.config import load_config
    from tf_lu.training.extractor import train_extractor
    overrides = {"train": {k: v for k, v in (("steps", args.steps), ("steps_per_epoch", args.steps_per_epoch))
                           if v is not None}}
    config = load_config(args.config, overrides)
    summary = train_extractor(config, args.records, args.out)
    print(summary)


if __name__ == "__main__":
    _bootstrap.run(main)
