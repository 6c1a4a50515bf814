"""Hyperparameter searches on training sequences (never evaluation data)."""
from tf_lu.cli import search_ema, search_updater
from tf_lu.cli.common import add_group


def add_arguments(parser):
    add_group(parser, {"ema": search_ema, "updater": search_updater})
