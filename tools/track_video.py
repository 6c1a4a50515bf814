"""``python tools/track_video.py ARGS`` runs ``tf-lu track ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["track", *sys.argv[1:]]))
