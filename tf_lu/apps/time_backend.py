"""Time the network parts of one SiamFC step under the active Keras backend and record their outputs.

:func:`time_backend` writes ``timing.json``, ``timing.md`` and ``outputs.npz`` (the outputs on fixed inputs);
:func:`compare_output_files` compares two such ``outputs.npz`` (for example JAX against TensorFlow).
"""
import json
import os

import keras
import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.timing import backend as bt


def compare_output_files(paths):
    """``{output: largest relative difference}`` between the two ``outputs.npz`` files in ``paths``."""
    if len(paths) != 2 or not all(os.path.isfile(p) for p in paths):
        raise TfLuError("--compare takes two existing .npz files, comma-separated")
    return bt.compare_outputs(*(bt.load_outputs(p) for p in paths))


def parse_sizes(text):
    """``"WIDTH,HIDDEN"`` (e.g. ``"1.0,192"``) -> ``(1.0, 192)``."""
    try:
        width, hidden = text.split(",")
        return float(width), int(hidden)
    except ValueError:
        raise TfLuError(f"--random takes WIDTH,HIDDEN such as 1.0,192, not {text!r}") from None


def time_backend(out, config_path, random=None, repeats=200, mode="device"):
    """Time the step's models of the learned-updater config at ``config_path`` (or, with ``random="WIDTH,HIDDEN"``,
    of initial weights at those sizes) and write the record into ``out``; returns the summary text."""
    networks = bt.random_networks(*parse_sizes(random)) if random else bt.load_networks(config_path)
    models = bt.step_models(*networks)
    inputs = bt.fixed_inputs(models)
    outputs = bt.reference_outputs(models, inputs)
    timings = bt.time_models(models, inputs, repeats=repeats, mode=mode)
    os.makedirs(out, exist_ok=True)
    np.savez(os.path.join(out, "outputs.npz"), **outputs)
    info = {"backend": keras.backend.backend(), "mode": mode,
            "networks": f"initial weights, width,hidden {random}" if random else config_path,
            "timings": timings, "devices": bt.device_names()}
    with open(os.path.join(out, "timing.json"), "w", encoding="utf-8") as handle:
        json.dump(info, handle, indent=2)
    heading = f"backend {info['backend']} ({mode} calls) on {', '.join(info['devices'])}"
    summary = heading + "\n\n" + bt.timing_summary(timings)
    with open(os.path.join(out, "timing.md"), "w", encoding="utf-8") as handle:
        handle.write(summary + "\n")
    return summary
