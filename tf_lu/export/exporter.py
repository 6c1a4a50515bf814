"""``export_tracker(name, out_dir)``: a named tracker (or tracker config path) as a SavedModel plus its model card;
``export_and_check``: that or the TFLite export, then the export run against the Python tracker (``tf-lu export``)."""
import os
import shlex

from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.export.card import write_card
from tf_lu.export.savedmodel import save_tracker
from tf_lu.tracking.registry import build_tracker, is_config_path, tracker_config_path, tracker_from_config, tracker_label


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
    tracker = tracker_from_config(config, tracker_label(name))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise TfLuError(f"cannot write export folder {out_dir}: {exc.strerror or exc}") from None
    signatures = save_tracker(tracker, out_dir)
    card = write_card(out_dir, tracker_label(name), config_path, config, signatures,
                      sorted(tracker.graph.state_spec))
    return {"signatures": signatures, "card": card}


def export_and_check(name, out_dir, check_data=None, sequence_names=None, report=None, fmt="savedmodel",
                     precision="float32", calibration=None):
    """:func:`export_tracker` (``fmt`` savedmodel) or :func:`tf_lu.export.tflite.export_tflite` (``fmt`` tflite, the
    extractor at ``precision``, int8 calibrated on ``calibration``), then, with ``check_data`` (a folder of OTB-layout
    sequences, or only ``sequence_names`` of them), the export loaded back and run beside the float32 Keras tracker
    (:func:`tf_lu.export.check.compare_with_python`).  The sequences are read before anything is written, so a bad
    ``check_data`` leaves no export behind.  ``report(line)`` gets the record's lines as they are made: what was
    written and where, then the check's table.  Returns the export's dict, with the check's result under ``"check"``."""
    from tf_lu.data.sequences import read_otb_folders
    from tf_lu.export.check import TABLE_HEAD, compare_with_python, table_row
    report = report or (lambda line: None)
    sequences = read_otb_folders(check_data, sequence_names or None) if check_data else None
    if fmt == "tflite":
        result, exported = _write_tflite(name, out_dir, report, precision, calibration)
    else:
        result, exported = _write_savedmodel(name, out_dir, report)
    if sequences:
        report(TABLE_HEAD)
        python = build_tracker(name, {"runtime": "keras", "precision": "float32"})
        result["check"] = compare_with_python(exported(), python, sequences,
                                              report=lambda sequence, row: report(table_row(sequence, row)))
        report(table_row("all", result["check"]))
    return result


def _write_savedmodel(name, out_dir, report):
    from tf_lu.export.check import ServedTracker
    result = export_tracker(name, out_dir)
    for signature in result["signatures"]:
        report(f"signature {signature}")
    report(f"SavedModel and {result['card']} written; inspect with: saved_model_cli show --dir {shlex.quote(out_dir)} "
           f"--all")
    return result, lambda: ServedTracker(out_dir)


def _write_tflite(name, out_dir, report, precision, calibration):
    from tf_lu.export.litert_host import LiteRTTracker
    from tf_lu.export.tflite import export_tflite
    result = export_tflite(name, out_dir, precision, calibration)
    folder = shlex.quote(out_dir)
    report(f"{', '.join(result['files'])} written to {out_dir}; track with: python {folder}/track_tflite.py --model "
           f"{folder} --data DIR --out DIR")
    return result, lambda: LiteRTTracker(out_dir)
