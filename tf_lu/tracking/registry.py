"""Tracker names -> tracker objects.

Every tracker the tools know is built here from its name:

* ``opencv-<kind>``: an OpenCV contrib tracker run as a peer (:mod:`tf_lu.tracking.peers`);
* any other name: a shipped tracker config ``configs/trackers/<name>.yaml`` (for example ``siamfc-none``,
  ``siamfc-ema``) or an ablation variant ``configs/ablations/<name>.yaml``.  A new update method is a new config file.
* a path ending in ``.yaml`` / ``.yml``: that tracker config file, wherever it lies (a user's own variant); its
  results are filed under the file's name without folder and extension (:func:`tracker_label`).

A tracker has ``init(image, box)`` and ``update(image) -> box`` with RGB ``uint8`` images and 0-based ``(x, y, w, h)``
boxes.
"""
import glob
import os

from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.models.crop_sizes import feature_sides
from tf_lu.models.networks import head_for, load_network
from tf_lu.resources import config_dir
from tf_lu.tracking.peers import OPENCV_TRACKERS, OpenCVTracker
from tf_lu.tracking.runtimes.choose import backbone_runner, exemplar_runner
from tf_lu.tracking.tracker import Tracker
from tf_lu.updaters.registry import build_updater

TRACKER_CONFIG_DIR = config_dir("trackers")
ABLATION_CONFIG_DIR = config_dir("ablations")


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


def build_siamfc_tracker(config, name="siamfc"):
    """The tracker a loaded :class:`tf_lu.config.Config` describes (base network and head of
    ``config.backbone.kind``, SiamFC or CFNet; weights, tracking values, updater; the runtime of its extractor)."""
    network = load_network(config)
    feature_sides(network.backbone, config.track.exemplar_size, config.track.instance_size, "track")
    return Tracker(network.backbone, head_for(config, network), build_updater(config.updater), config.track, name,
                   runner=backbone_runner(network.backbone, config),
                   exemplar_runner=exemplar_runner(network.backbone, config))


def build_tracker(name, overrides=None):
    """Build the tracker called ``name``; an unknown name is a :class:`TfLuError` listing the known ones."""
    if name.startswith("opencv-") and not is_config_path(name):
        kind = name[len("opencv-"):]
        if kind not in OPENCV_TRACKERS:
            raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(tracker_names())}")
        return OpenCVTracker(kind)
    config = load_config(tracker_config_path(name), overrides)
    return build_siamfc_tracker(config, tracker_label(name))
