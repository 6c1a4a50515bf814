"""``python tools/make_crop_walk.py ARGS`` runs ``tf-lu make-crop-walk ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["make-crop-walk", *sys.argv[1:]]))
