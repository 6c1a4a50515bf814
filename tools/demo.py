"""``python tools/demo.py ARGS`` runs ``tf-lu demo ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["demo", *sys.argv[1:]]))
