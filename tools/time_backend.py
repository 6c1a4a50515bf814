"""``python tools/time_backend.py ARGS`` runs ``tf-lu time backend ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["time", "backend", *sys.argv[1:]]))
