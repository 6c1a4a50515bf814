"""``python tools/cache_features.py ARGS`` runs ``tf-lu cache-features ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["cache-features", *sys.argv[1:]]))
