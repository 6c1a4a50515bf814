"""``python tools/train_updater.py ARGS`` runs ``tf-lu train-updater ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["train-updater", *sys.argv[1:]]))
