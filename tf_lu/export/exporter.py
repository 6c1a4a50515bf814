"""``export_tracker(name, out_dir)``: a named tracker (or tracker config path) as a SavedModel plus its model card."""
import os

from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.export.card import write_card
from tf_lu.export.savedmodel import save_tracker
from tf_lu.tracking.registry import build_tracker, is_config_path, tracker_config_path, tracker_label


def export_tracker(name, out_dir, overrides=None):
    """Write the SavedModel of tracker ``name`` into ``out_dir`` (new or empty) and its ``MODEL_CARD.md``.

    Returns ``{"signatures": {...}, "card": path}``.  OpenCV trackers and trackers whose update runs on the host
    (SGD) have no graph to export: a :class:`TfLuError`.
    """
    if name.startswith("opencv-") and not is_config_path(name):
        raise TfLuError(f"{name} is an OpenCV tracker: only TensorFlow trackers (siamfc-*) can be exported")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        raise TfLuError(f"export folder {out_dir} is not empty: give a new or empty folder")
    config_path = tracker_config_path(name)
    config = load_config(config_path, overrides)
    if config.runtime == "tflite":
        raise TfLuError(f"tracker {name!r} runs its extractor on LiteRT (runtime: tflite), which a SavedModel cannot "
                        "hold: export it with --format tflite")
    tracker = build_tracker(name, overrides)
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise TfLuError(f"cannot write export folder {out_dir}: {exc.strerror or exc}") from None
    signatures = save_tracker(tracker, out_dir)
    card = write_card(out_dir, tracker_label(name), config_path, config, signatures,
                      sorted(tracker.graph.state_spec))
    return {"signatures": signatures, "card": card}
