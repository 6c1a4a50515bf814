"""``python -m tf_lu ...``: the same as the ``tf-lu`` command."""
from tf_lu.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
