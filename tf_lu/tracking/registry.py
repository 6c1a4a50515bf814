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
from tf_lu.config import load_config, to_dict
from tf_lu.fingerprints import config_fingerprint
from tf_lu.models.crop_sizes import feature_sides
from tf_lu.models.networks import head_for, load_network
from tf_lu.tracking.names import (ABLATION_CONFIG_DIR, TRACKER_CONFIG_DIR, check_tracker_name,  # noqa: F401 (names
                                  config_tracker_names, is_config_path, is_opencv_name, tracker_config_path,  # also
                                  tracker_label, tracker_names)  # imported from here)
from tf_lu.tracking.peers import OpenCVTracker
from tf_lu.tracking.runtimes.choose import backbone_runner, exemplar_runner
from tf_lu.tracking.tracker import Tracker
from tf_lu.updaters.registry import build_updater


def tracker_from_config(config, name="tracker", network=None):
    """The tracker a loaded :class:`tf_lu.config.Config` describes: the base network and head of
    ``config.backbone.kind`` (SiamFC or CFNet) with ``config.weights``, the tracking values, and the updater of
    ``config.updater.kind`` (none, EMA, SGD, learned), its extractor run as ``config.runtime`` says.  Every tool that tracks builds its trackers here.

    ``network``: an already loaded network of ``config.backbone.kind`` to track with (a search builds many trackers
    that differ only in their updater settings); by default it is loaded from ``config.weights``.  The tracker's
    ``fingerprint`` is the resolved config and a digest of each weights file (:mod:`tf_lu.fingerprints`)."""
    network = network if network is not None else load_network(config)
    feature_sides(network.backbone, config.track.exemplar_size, config.track.instance_size, "track")
    tracker = Tracker(network.backbone, head_for(config, network), build_updater(config.updater), config.track, name,
                      runner=backbone_runner(network.backbone, config),
                      exemplar_runner=exemplar_runner(network.backbone, config))
    tracker.fingerprint = config_fingerprint(to_dict(config), weight_files(config))
    return tracker


def weight_files(config):
    """The weights files a tracker of ``config`` loads: the network's, and the learned updater's."""
    learned = config.updater.learned.weights if config.updater.kind == "learned" else None
    return [path for path in (config.weights, learned) if path]


def build_tracker(name, overrides=None):
    """Build the tracker called ``name``; an unknown name is a :class:`TfLuError` listing the known ones."""
    if is_opencv_name(check_tracker_name(name)):
        return OpenCVTracker(name[len("opencv-"):])
    config = load_config(tracker_config_path(name), overrides)
    return tracker_from_config(config, tracker_label(name))
