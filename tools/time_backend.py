#!/usr/bin/env python
"""Time the network parts of one SiamFC step under the active Keras backend, and save their outputs on fixed inputs.

    python tools/time_backend.py --out results/backend_tf                      # TensorFlow (the default backend)
    KERAS_BACKEND=jax python tools/time_backend.py --out results/backend_jax   # JAX, e.g. on a GPU machine
    python tools/time_backend.py --random 1.0,192 --out results/backend_tf_paper  # the paper's sizes, initial weights
    python tools/time_backend.py --compare results/backend_jax/outputs.npz,results/backend_tf/outputs.npz
"""
import argparse
import json
import os

import _bootstrap


def main():
    parser = argparse.ArgumentParser(description="Time the SiamFC step's networks under the active Keras backend.")
    parser.add_argument("--config", default="configs/trackers/siamfc-learned.yaml",
                        help="a learned-updater tracker config (default: the shipped one)")
    parser.add_argument("--random", metavar="WIDTH,HIDDEN",
                        help="initial weights at these sizes instead of a config's (e.g. 1.0,192: the paper's sizes)")
    parser.add_argument("--repeats", type=int, default=200, help="timed calls per model (default 200)")
    parser.add_argument("--mode", choices=("predict", "device"), default="device",
                        help="device: compiled calls, only the response read back (default); predict: predict_on_batch")
    parser.add_argument("--out", help="folder for timing.json, timing.md and outputs.npz")
    parser.add_argument("--compare", help="OURS.npz,THEIRS.npz: largest relative difference of every output")
    args = parser.parse_args()
    import numpy as np
    from tf_lu.errors import TfLuError
    from tf_lu.evaluation import backend_timing as bt
    if args.compare:
        paths = args.compare.split(",")
        if len(paths) != 2 or not all(os.path.isfile(p) for p in paths):
            raise TfLuError("--compare takes two existing .npz files, comma-separated")
        for key, diff in bt.compare_outputs(*(bt.load_outputs(p) for p in paths)).items():
            print(f"{key}: {diff:.2e}")
        return
    if not args.out:
        raise TfLuError("give --out (or --compare)")
    import keras
    if args.random:
        try:
            width, hidden = args.random.split(",")
            networks = bt.random_networks(float(width), int(hidden))
        except ValueError:
            raise TfLuError(f"--random takes WIDTH,HIDDEN such as 1.0,192, not {args.random!r}") from None
    else:
        networks = bt.load_networks(args.config)
    models = bt.step_models(*networks)
    inputs = bt.fixed_inputs(models)
    outputs = bt.reference_outputs(models, inputs)
    timings = bt.time_models(models, inputs, repeats=args.repeats, mode=args.mode)
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "outputs.npz"), **outputs)
    info = {"backend": keras.backend.backend(), "mode": args.mode,
            "networks": f"initial weights, width,hidden {args.random}" if args.random else args.config,
            "timings": timings,
            "devices": bt.device_names()}
    with open(os.path.join(args.out, "timing.json"), "w") as f:
        json.dump(info, f, indent=2)
    heading = f"backend {info['backend']} ({args.mode} calls) on {', '.join(info['devices'])}"
    summary = heading + "\n\n" + bt.timing_summary(timings)
    with open(os.path.join(args.out, "timing.md"), "w") as f:
        f.write(summary + "\n")
    print(summary)


if __name__ == "__main__":
    _bootstrap.run(main)
