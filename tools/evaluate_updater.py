"""``python tools/evaluate_updater.py ARGS`` runs ``tf-lu evaluate-updater ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["evaluate-updater", *sys.argv[1:]]))
