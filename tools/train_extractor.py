"""``python tools/train_extractor.py ARGS`` runs ``tf-lu train-extractor ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["train-extractor", *sys.argv[1:]]))
