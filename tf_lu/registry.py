"""Tracker names -> tracker objects.

Every tracker the tools know is built here from its name:

* ``opencv-<kind>``: an OpenCV contrib tracker run as a peer (:mod:`tf_lu.evaluation.peers`);
* any other name: a tracker config ``configs/trackers/<name>.yaml`` (for example ``siamfc-none``, ``siamfc-ema``)
  or an ablation variant ``configs/ablations/<name>.yaml``, built by
  :func:`tf_lu.tracker.build_tracker_from_config`.  A new update method is a new config file here.
* a path ending in ``.yaml`` / ``.yml``: that tracker config file, wherever it lies (a user's own variant); its
  results are filed under the file's name without folder and extension (:func:`tracker_label`).

A tracker has ``init(image, box)`` and ``update(image) -> box`` with RGB ``uint8`` images and 0-based ``(x, y, w, h)``
boxes.
"""
import glob
import os

from tf_lu.errors import TfLuError

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRACKER_CONFIG_DIR = os.path.join(REPO_ROOT, "configs", "trackers")
ABLATION_CONFIG_DIR = os.path.join(REPO_ROOT, "configs", "ablations")


def resolve_path(path):
    """Paths in configs are relative to the repository root."""
    return path if os.path.isabs(path) else os.path.join(REPO_ROOT, path)


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
    from tf_lu.evaluation.peers import OPENCV_TRACKERS
    return config_tracker_names() + sorted(f"opencv-{k}" for k in OPENCV_TRACKERS)


def is_config_path(name):
    return name.endswith((".yaml", ".yml"))


def tracker_label(name):
    """The name a tracker's results are filed under: a config path's file name without extension, else ``name``."""
    return os.path.splitext(os.path.basename(name))[0] if is_config_path(name) else name


def build_tracker(name):
    """Build the tracker called ``name``; an unknown name is a :class:`TfLuError` listing the known ones."""
    if is_config_path(name):
        if not os.path.isfile(name):
            raise TfLuError(f"tracker config file not found: {name}")
        path = name
    elif name.startswith("opencv-"):
        from tf_lu.evaluation.peers import OPENCV_TRACKERS, OpenCVTracker
        kind = name[len("opencv-"):]
        if kind not in OPENCV_TRACKERS:
            raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")
        return OpenCVTracker(kind)
    else:
        path = _config_paths().get(name)
        if path is None:
            raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")
    from tf_lu.tracker import build_tracker_from_config
    return build_tracker_from_config(path, name=tracker_label(name))
