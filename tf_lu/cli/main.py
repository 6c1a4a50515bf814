"""The ``tf-lu`` command: one argparse parser with a subcommand per job, and the one place that turns a
:class:`~tf_lu.errors.TfLuError` into the line ``error: <message>`` on stderr with exit status 2.

TensorFlow is imported only inside the subcommand that needs it (``tf-lu --help`` stays fast), after its C++ log
level has been set to warnings and errors only.
"""
import argparse
import os
import sys

from tf_lu import __version__
from tf_lu.cli import (ablate, benchmark, cache_features, curate, demo, evaluate_updater, export, lookalike,
                       make_crop_walk, make_pairs, make_synthetic, mine_hard_pairs, report, search, time, track,
                       train_extractor, train_updater)
from tf_lu.cli.common import add_group
from tf_lu.errors import TfLuError

DESCRIPTION = """Learning to update for visual object tracking (TensorFlow 2 / Keras 3).

A mistake in the input (a bad file, box, config or name) is reported as one line 'error: ...' with exit status 2.
Run 'tf-lu COMMAND --help' for the options of a command."""

COMMANDS = {
    "benchmark": benchmark,
    "track": track,
    "demo": demo,
    "lookalike": lookalike,
    "curate": curate,
    "make-pairs": make_pairs,
    "make-synthetic": make_synthetic,
    "make-crop-walk": make_crop_walk,
    "mine-hard-pairs": mine_hard_pairs,
    "train-extractor": train_extractor,
    "cache-features": cache_features,
    "train-updater": train_updater,
    "evaluate-updater": evaluate_updater,
    "report": report,
    "ablate": ablate,
    "export": export,
    "search": search,
    "time": time,
}


def build_parser():
    parser = argparse.ArgumentParser(prog="tf-lu", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tf-lu {__version__}")
    add_group(parser, COMMANDS)
    return parser


def one_line(message):
    """``message`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(message).split())


def main(argv=None):
    """Run ``tf-lu`` with ``argv`` (default: the process's arguments); returns the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:                  # --help, --version or a usage error: argparse has printed it
        return exc.code or 0
    try:
        return args.run(args) or 0
    except TfLuError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
