"""``python tools/ablate.py ARGS`` runs ``tf-lu ablate ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["ablate", *sys.argv[1:]]))
