"""Tracker names and the config files behind them, without building anything (no TensorFlow import): what
:mod:`tf_lu.tracking.registry` builds from, and what the command line checks a name against before any work.

* ``opencv-<kind>``: an OpenCV contrib tracker (:data:`tf_lu.tracking.peers.OPENCV_TRACKERS`);
* any other name: a shipped tracker config ``configs/trackers/<name>.yaml`` or an ablation variant
  ``configs/ablations/<name>.yaml``;
* a path ending in ``.yaml`` / ``.yml``: that tracker config file, filed under its name without folder and extension.
"""
import glob
import os

from tf_lu.errors import TfLuError
from tf_lu.resources import config_dir
from tf_lu.tracking.peers import OPENCV_TRACKERS

TRACKER_CONFIG_DIR = config_dir("trackers")
ABLATION_CONFIG_DIR = config_dir("ablations")
DEFAULT_TRACKERS = ("siamfc-none", "siamfc-ema", "siamfc-learned", "opencv-csrt", "opencv-kcf")  # demo, lookalike


def _config_paths():
    paths = {}
    for folder in (ABLATION_CONFIG_DIR, TRACKER_CONFIG_DIR):
        for path in glob.glob(os.path.join(folder, "*.yaml")):
            paths[os.path.splitext(os.path.basename(path))[0]] = path
    return paths


def config_tracker_names(include_ablations=False):
    folders = (TRACKER_CONFIG_DIR, ABLATION_CONFIG_DIR) if include_ablations else (TRACKER_CONFIG_DIR,)
    return sorted(name for name, path in _config_paths().items() if os.path.dirname(path) in folders)


def tracker_names():
    return config_tracker_names() + sorted(f"opencv-{k}" for k in OPENCV_TRACKERS)


def is_config_path(name):
    return name.endswith((".yaml", ".yml"))


def tracker_label(name):
    """The name a tracker's results are filed under: a config path's file name without extension, else ``name``."""
    return os.path.splitext(os.path.basename(name))[0] if is_config_path(name) else name


def tracker_config_path(name):
    """The config file of the tracker called ``name`` (a shipped name or a path); a :class:`TfLuError` if none."""
    if is_config_path(name):
        if not os.path.isfile(name):
            raise TfLuError(f"tracker config file not found: {name}")
        return name
    path = _config_paths().get(name)
    if path is None:
        raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")
    return path


def is_opencv_name(name):
    """Whether ``name`` names an OpenCV peer (``opencv-<kind>``, not a config path)."""
    return name.startswith("opencv-") and not is_config_path(name)


def check_tracker_name(name):
    """``name`` if it names a known tracker (an OpenCV kind, a shipped config or an existing config file), else a
    :class:`TfLuError` listing the known names."""
    if is_opencv_name(name):
        if name[len("opencv-"):] not in OPENCV_TRACKERS:
            raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")
        return name
    tracker_config_path(name)
    return name


def check_tracker_names(names):
    """Every name of ``names`` checked by :func:`check_tracker_name`."""
    return [check_tracker_name(name) for name in names]
