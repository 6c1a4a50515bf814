"""``export_tflite(name, out_dir, precision)``: a tracker as LiteRT (TFLite) models that track without tf_lu or
TensorFlow (``tf-lu export --format tflite``).

The folder gets ``backbone.tflite`` (the feature extractor at ``precision``: float32, float16, dynamic or int8,
:func:`tf_lu.tracking.runtimes.tflite.convert_backbone`; below float32 also ``exemplar.tflite``, the extractor in
float32 for the template, once per sequence), ``start.tflite`` and ``locate.tflite`` (the float32 head,
:mod:`tf_lu.export.tflite_head`), ``tracker.json`` (the settings the host needs), ``track_tflite.py`` (the host code,
:mod:`tf_lu.export.litert_host`: NumPy and the LiteRT interpreter) and ``MODEL_CARD.md``.
"""
import datetime
import json
import os
import shutil

from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.export import litert_host
from tf_lu.export.card import file_digest, weights_files
from tf_lu.export.tflite_head import UPDATES, convert_head
from tf_lu.tracking.registry import build_tracker, is_config_path, tracker_config_path, tracker_label
from tf_lu.tracking.runtimes.calibration import calibration_batches
from tf_lu.tracking.runtimes.tflite import PRECISIONS, convert_backbone

KERAS = {"runtime": "keras", "precision": "float32"}


def host_settings(graph):
    """What ``track_tflite.py`` needs of the tracker's settings (:class:`tf_lu.tracking.step.TrackingStep`)."""
    cfg = graph.cfg
    return {"exemplar_size": cfg.exemplar_size, "instance_size": cfg.instance_size, "context": cfg.context,
            "scales": [float(s) for s in graph.scales], "scale_lr": cfg.scale_lr, "total_stride": cfg.total_stride,
            "response_up": cfg.response_up, "upscale": int(graph.upscale), "min_size": cfg.min_size}


def _checked(name, out_dir, precision, config):
    if precision not in PRECISIONS:
        raise TfLuError(f"unknown TFLite precision {precision!r}; known: {', '.join(PRECISIONS)}")
    if config.updater.kind not in UPDATES:
        raise TfLuError(f"the TFLite export covers the updates {', '.join(UPDATES)}, not {config.updater.kind!r} "
                        "(export it as a SavedModel)")
    if os.path.isdir(out_dir) and os.listdir(out_dir):
        raise TfLuError(f"export folder {out_dir} is not empty: give a new or empty folder")


def export_tflite(name, out_dir, precision="float32", calibration=None, overrides=None):
    """Write tracker ``name``'s TFLite export into ``out_dir`` (new or empty); ``calibration`` (int8): OTB-layout
    sequences to calibrate on, else the config's ``calibration``, else generated sequences.  Returns
    ``{"files": [...], "card": path}``."""
    if name.startswith("opencv-") and not is_config_path(name):
        raise TfLuError(f"{name} is an OpenCV tracker: only TensorFlow trackers (siamfc-*) can be exported")
    overrides = {**(overrides or {}), **KERAS, **({"calibration": calibration} if calibration else {})}
    config = load_config(tracker_config_path(name), overrides)
    _checked(name, out_dir, precision, config)
    tracker = build_tracker(name, overrides)
    track = config.track
    feature_shape = tracker.backbone.compute_output_shape((len(tracker.graph.scales), track.instance_size,
                                                           track.instance_size, 3))
    models = {"backbone": convert_backbone(tracker.backbone, precision,
                                           (lambda: calibration_batches(config)) if precision == "int8" else None)}
    if precision != "float32":    # the template is made once per sequence: at full precision, as the runtimes do
        models["exemplar"] = convert_backbone(tracker.backbone, "float32")
    models.update(convert_head(tracker, config.updater.kind, list(feature_shape)))
    try:
        os.makedirs(out_dir, exist_ok=True)
        for model, content in models.items():
            with open(os.path.join(out_dir, f"{model}.tflite"), "wb") as handle:
                handle.write(content)
        with open(os.path.join(out_dir, "tracker.json"), "w", encoding="utf-8") as handle:
            json.dump({"tracker": tracker_label(name), "precision": precision, "update": config.updater.kind,
                       "exemplar_model": "exemplar" if "exemplar" in models else "backbone",
                       **host_settings(tracker.graph)}, handle, indent=2)
        shutil.copyfile(litert_host.__file__, os.path.join(out_dir, "track_tflite.py"))
        card = write_tflite_card(out_dir, tracker_label(name), config, precision)
    except OSError as exc:
        raise TfLuError(f"cannot write export folder {out_dir}: {exc.strerror or exc}") from None
    return {"files": sorted(os.listdir(out_dir)), "card": card}


def write_tflite_card(out_dir, name, config, precision):
    """``MODEL_CARD.md`` of a TFLite export; returns its path."""
    lines = [f"# Exported tracker: {name} (LiteRT / TFLite, feature extractor in {precision})", "",
             f"Exported {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC by `tf-lu export "
             f"--format tflite` (base tracker {config.backbone.kind}, width {config.backbone.width}, update "
             f"`{config.updater.kind}`).", "", "## Weights", ""]
    lines += [f"- {what}: `{os.path.basename(path)}` ({file_digest(path)})" for what, path in weights_files(config)]
    if precision == "int8":
        lines += ["", "Activation ranges calibrated on "
                  + (f"`{config.calibration}`." if config.calibration else "generated sequences.")]
    lines += ["", "## Files", "",
              "- `backbone.tflite`: images (N, H, W, 3) float32 in [0, 255] -> features; any N, H, W",
              "- `exemplar.tflite` (below float32): the same extractor in float32, for the exemplar crop",
              "- `start.tflite`: `exemplar` features -> the first state (`template`, `updater_*`)",
              "- `locate.tflite`: `features` of the search pyramid and the state -> `scale`, `peak` (row, col on "
              "the upsampled response), `score`, and the state entries it changes",
              "- `tracker.json`: the settings the host code uses; `track_tflite.py`: the host code (crops, box)",
              "", "## Calling it", "", "```",
              "pip install ai-edge-litert numpy pillow",
              f"python {out_dir}/track_tflite.py --model {out_dir} --data OTB_FOLDER --out results/", "```", ""]
    path = os.path.join(out_dir, "MODEL_CARD.md")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return path
