"""``python tools/time_frames.py ARGS`` runs ``tf-lu time frames ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["time", "frames", *sys.argv[1:]]))
