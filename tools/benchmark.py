"""``python tools/benchmark.py ARGS`` runs ``tf-lu benchmark ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["benchmark", *sys.argv[1:]]))
