"""``python tools/make_pair_records.py ARGS`` runs ``tf-lu make-pairs ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["make-pairs", *sys.argv[1:]]))
