"""Shared start-up for the thin command-line tools: repository root on sys.path, quiet TF, one-line errors."""
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def run(main):
    """Call ``main()``; a TfLuError becomes ``error: ...`` on stderr and exit status 2."""
    from tf_lu.errors import TfLuError
    try:
        sys.exit(main() or 0)
    except TfLuError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
