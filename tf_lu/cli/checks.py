"""Argument checks shared by the subcommands, all run before any work and before TensorFlow is imported.

The ``type=`` checks run while the command line is parsed: a value out of range or an output path that cannot be
written becomes one line ``error: argument --x: ...`` with exit status 2 (:class:`tf_lu.cli.common.Parser`).  The
other checks take the parsed values (options that make no sense together, tracker names and configs) and raise
:class:`~tf_lu.errors.TfLuError`.
"""
import argparse
import os

from tf_lu.errors import TfLuError


def _number(text, kind):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, got {text!r}") \
            from None


def at_least(low, kind=int):
    """An argparse type: a number (``kind``) of at least ``low``."""
    def parse(text):
        value = _number(text, kind)
        if not value >= low:                      # NaN fails too
            raise argparse.ArgumentTypeError(f"must be at least {low}, got {text}")
        return value
    return parse


def within(low, high, kind=float):
    """An argparse type: a number (``kind``) from ``low`` to ``high``, both included."""
    def parse(text):
        value = _number(text, kind)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {text}")
        return value
    return parse


def share(text):
    """An argparse type: a number above 0 and at most 1."""
    value = _number(text, float)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
    return value


non_negative_int = at_least(0)
positive_int = at_least(1)
non_negative_float = at_least(0.0, float)


def positive_ints(text):
    """An argparse type: comma-separated integers, each at least 1 (``"1,2"`` -> ``[1, 2]``), in order, each once."""
    values = [positive_int(part.strip()) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers of at least 1, got {text!r}")
    return list(dict.fromkeys(values))


def output_file(text):
    """An argparse type: a file to write; not a folder, and its folder must exist."""
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder; give a file name")
    parent = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError(f"the folder {parent} of {text} does not exist")
    return text


def output_folder(text):
    """An argparse type: a folder to write into (created if missing); not an existing file, nor under one."""
    path = os.path.abspath(text)
    while not os.path.exists(path):
        path = os.path.dirname(path)
    if not os.path.isdir(path):
        raise argparse.ArgumentTypeError(f"{path} is a file, not a folder")
    return text


def new_folder(text):
    """An argparse type: :func:`output_folder` that is missing or empty."""
    output_folder(text)
    if os.path.isdir(text) and os.listdir(text):
        raise argparse.ArgumentTypeError(f"{text} is not empty; give a new or empty folder")
    return text


def input_file(text):
    """An argparse type: an existing file."""
    if not os.path.isfile(text):
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file" if os.path.isdir(text)
                                         else f"file not found: {text}")
    return text


def input_folder(text):
    """An argparse type: an existing folder."""
    if not os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder" if os.path.exists(text)
                                         else f"folder not found: {text}")
    return text


def needs(args, option, other):
    """A :class:`TfLuError` when ``--option`` is given without ``--other`` (names as on the command line)."""
    if getattr(args, option.replace("-", "_")) not in (None, False, []) and \
            getattr(args, other.replace("-", "_")) in (None, False, []):
        raise TfLuError(f"--{option} works only with --{other}")


def trackers(names, overrides=None):
    """``names`` after checking each names a known tracker whose config loads with the config ``overrides`` (no
    tracker is built); overrides for an OpenCV tracker, which has no config, are an error."""
    from tf_lu.config import load_config
    from tf_lu.tracking.names import check_tracker_name, is_opencv_name, tracker_config_path
    for name in names:
        if not is_opencv_name(check_tracker_name(name)):
            load_config(tracker_config_path(name), overrides)
        elif overrides:
            raise TfLuError(f"{name} is an OpenCV tracker: it has no config for --set to change")
    return names


def config_of_kind(config, kind, source, command):
    """A :class:`TfLuError` unless the loaded ``config`` has ``updater.kind == kind``."""
    if config.updater.kind != kind:
        raise TfLuError(f"{source}: {command} needs an updater.kind: {kind} config, this one has "
                        f"updater.kind: {config.updater.kind}")
    return config
