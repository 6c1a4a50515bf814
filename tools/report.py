"""``python tools/report.py ARGS`` runs ``tf-lu report ARGS``."""
import sys

from tf_lu.cli.main import main

if __name__ == "__main__":
    sys.exit(main(["report", *sys.argv[1:]]))
