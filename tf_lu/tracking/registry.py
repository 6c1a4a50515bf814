"""Tracker names -> tracker objects.

Names resolve to config files as :mod:`tf_lu.tracking.names` says (shipped names, ablation variants, a user's config
path, ``opencv-<kind>``); this module builds the tracker a name or config describes.

A tracker has ``init(image, box)`` and ``update(image) -> box`` with RGB ``uint8`` images and 0-based ``(x, y, w, h)``
boxes.
"""
from tf_lu.config import load_config
from tf_lu.models.crop_sizes import feature_sides
from tf_lu.models.networks import head_for, load_network
from tf_lu.tracking.names import (ABLATION_CONFIG_DIR, TRACKER_CONFIG_DIR, config_tracker_names,  # noqa: F401
                                  is_config_path, opencv_kind, tracker_config_path, tracker_label, tracker_names)
from tf_lu.tracking.peers import OpenCVTracker
from tf_lu.tracking.tracker import Tracker
from tf_lu.updaters.registry import build_updater


def build_siamfc_tracker(config, name="siamfc"):
    """The tracker a loaded :class:`tf_lu.config.Config` describes (base network and head of
    ``config.backbone.kind``, SiamFC or CFNet; weights, tracking values, updater)."""
    network = load_network(config)
    feature_sides(network.backbone, config.track.exemplar_size, config.track.instance_size, "track")
    return Tracker(network.backbone, head_for(config, network), build_updater(config.updater), config.track, name)


def build_tracker(name, overrides=None):
    """Build the tracker called ``name``; an unknown name is a :class:`TfLuError` listing the known ones."""
    kind = opencv_kind(name)
    if kind is not None:
        return OpenCVTracker(kind)
    config = load_config(tracker_config_path(name), overrides)
    return build_siamfc_tracker(config, tracker_label(name))
