"""``python tools/make_synthetic.py ARGS`` runs ``tf-lu make-synthetic ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["make-synthetic", *sys.argv[1:]]))
