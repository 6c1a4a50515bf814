"""Tracker names -> config files, without TensorFlow (so a misspelt name is an error before TensorFlow loads).

* ``opencv-<kind>``: an OpenCV contrib tracker run as a peer (:mod:`tf_lu.tracking.peers`);
* any other name: a shipped tracker config ``configs/trackers/<name>.yaml`` (for example ``siamfc-none``,
  ``siamfc-ema``) or an ablation variant ``configs/ablations/<name>.yaml``.  A new update method is a new config file.
* a path ending in ``.yaml`` / ``.yml``: that tracker config file, wherever it lies (a user's own variant); its
  results are filed under the file's name without folder and extension (:func:`tracker_label`).
"""
import glob
import os

from tf_lu.errors import TfLuError
from tf_lu.resources import config_dir
from tf_lu.tracking.peers import OPENCV_TRACKERS

TRACKER_CONFIG_DIR = config_dir("trackers")
ABLATION_CONFIG_DIR = config_dir("ablations")
OPENCV_PREFIX = "opencv-"


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
    return config_tracker_names() + sorted(f"{OPENCV_PREFIX}{k}" for k in OPENCV_TRACKERS)


def is_config_path(name):
    return name.endswith((".yaml", ".yml"))


def tracker_label(name):
    """The name a tracker's results are filed under: a config path's file name without extension, else ``name``."""
    return os.path.splitext(os.path.basename(name))[0] if is_config_path(name) else name


def _unknown(name):
    return TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")


def opencv_kind(name):
    """``"csrt"`` for ``"opencv-csrt"``; ``None`` for a name that is not an OpenCV tracker's; an unknown OpenCV kind
    is a :class:`TfLuError`."""
    if is_config_path(name) or not name.startswith(OPENCV_PREFIX):
        return None
    kind = name[len(OPENCV_PREFIX):]
    if kind not in OPENCV_TRACKERS:
        raise _unknown(name)
    return kind


def tracker_config_path(name):
    """The config file of the tracker called ``name`` (a shipped name or a path); a :class:`TfLuError` if none."""
    if is_config_path(name):
        if not os.path.isfile(name):
            raise TfLuError(f"tracker config file not found: {name}")
        return name
    path = _config_paths().get(name)
    if path is None:
        raise _unknown(name)
    return path


def check_tracker_names(names):
    """Every name in ``names`` is an OpenCV tracker or has a config file; else a :class:`TfLuError` naming it."""
    for name in names:
        if opencv_kind(name) is None:
            tracker_config_path(name)
