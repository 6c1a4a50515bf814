"""The ``tf-lu`` command: one argparse parser with a subcommand per job, and the one place that turns a
:class:`~tf_lu.errors.TfLuError` into the line ``error: <message>`` on stderr with exit status 2.

One rule for every command.  ``tf-lu NAME`` is the module ``tf_lu/cli/NAME.py`` (``tf-lu GROUP NAME``:
``tf_lu/cli/GROUP_NAME.py``; hyphens become underscores), which only

1. declares the options, each value checked as it is parsed (:mod:`tf_lu.cli.checks`: ranges, output files and
   folders), then checks what needs the values together (options that need each other, tracker names, a config's
   kind), all before any work and before TensorFlow is imported;
2. turns the arguments into what they name (a config, a network, a tracker) and calls one function of the package,
   which does the work;
3. prints what that function returns.

The function is the library's own where the job is one library function (``tf-lu curate``:
:func:`tf_lu.data.curation.curate`; ``tf-lu train-updater``: :func:`tf_lu.training.meta.train_updater`); a job that
puts several parts of the library together lives in ``tf_lu/apps/NAME.py``, named like the command (``tf-lu track``:
:func:`tf_lu.apps.track.track_video`; ``tf-lu time pipeline``:
:func:`tf_lu.apps.time_pipeline.time_training_pipelines`).  A command module writes no file and loops over no data.

TensorFlow is imported only inside the subcommand that needs it (``tf-lu --help`` stays fast), after its C++ log
level has been set to warnings and errors only, and its start-up notices are kept off the terminal
(:mod:`tf_lu.cli.quiet_tensorflow`).  Commands check what they can without TensorFlow (paths, boxes, config files,
tracker names) before they import it, so such mistakes are reported at once.
"""
import argparse
import os
import sys

from tf_lu import __version__
from tf_lu.cli import (ablate, app, benchmark, cache_features, curate, demo, evaluate_updater, export, lookalike,
                       make_crop_walk, make_pairs, make_synthetic, mine_hard_pairs, quiet_tensorflow, report, search,
                       time, track, train_extractor, train_updater)
from tf_lu.cli.common import Parser, add_group
from tf_lu.errors import TfLuError

DESCRIPTION = """Learning to update for visual object tracking (TensorFlow 2 / Keras 3).

A mistake in the input (a bad file, box, config or name) is reported as one line 'error: ...' with exit status 2.
Run 'tf-lu COMMAND --help' for the options of a command."""

COMMANDS = {
    "benchmark": benchmark,
    "track": track,
    "app": app,
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
    parser = Parser(prog="tf-lu", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"tf-lu {__version__}")
    add_group(parser, COMMANDS)
    return parser


def one_line(message):
    """``message`` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(message).split())


def main(argv=None):
    """Run ``tf-lu`` with ``argv`` (default: the process's arguments); returns the exit status."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quiet_tensorflow.install()
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:              # --help or --version: argparse has printed it
            return exc.code or 0
        return args.run(args) or 0
    except TfLuError as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
