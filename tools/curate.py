"""``python tools/curate.py ARGS`` runs ``tf-lu curate ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["curate", *sys.argv[1:]]))
