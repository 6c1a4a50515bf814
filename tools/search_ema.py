"""``python tools/search_ema.py ARGS`` runs ``tf-lu search ema ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["search", "ema", *sys.argv[1:]]))
