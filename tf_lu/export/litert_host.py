"""Track with a tf_lu tracker exported as LiteRT (TFLite) models, using NumPy and the LiteRT interpreter only.

This file imports neither tf_lu nor TensorFlow: ``tf-lu export --format tflite`` copies it into every export as
``track_tflite.py`` (``examples/track_tflite.py`` is a link to this file).  Install the interpreter with
``pip install ai-edge-litert`` (TensorFlow's ``tf.lite.Interpreter`` is used where that package is missing), then::

    python track_tflite.py --model EXPORT_FOLDER --data OTB_FOLDER --out results/

``OTB_FOLDER`` is one sequence (``img/`` + ``groundtruth_rect.txt``, whose first line gives the first box) or a folder
of such sequences; frames are read with Pillow.  Writes ``OUT/<sequence>.txt`` (one 1-based ``x,y,w,h`` line per
frame, the OTB result format) and ``OUT/<sequence>_time.txt`` (seconds of each init / update call).

The export folder holds ``backbone.tflite`` (the feature extractor, any batch and image size; below float32 also
``exemplar.tflite``, the extractor in float32 that makes the template), ``start.tflite``
(exemplar features -> the first state), ``locate.tflite`` (search features and state -> best scale, response peak,
score, the state it changes) and ``tracker.json`` (the tracking settings).  What the models leave to the host is
here: the crops (bilinear with TensorFlow's ``crop_and_resize`` sample positions in float32, mean padding outside
the frame) and the box's move, damping and clipping (float64).
"""
import argparse
import json
import os
import re
import sys
import time

import numpy as np

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


def interpreter_class():
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        from tensorflow.lite import Interpreter  # noqa: only where ai-edge-litert is not installed
    return Interpreter


# --- crops -----------------------------------------------------------------------------------------------------------
def axis_samples(center, sides, length, out_size):
    """Per window: the low and high pixel index of every sample along one axis, its weight on the high one and whether
    it lies in the image (float32, as ``crop_and_resize`` computes them)."""
    f = np.float32
    last = f(length - 1)
    half = (sides - f(1)) / f(2)
    low_edge = (f(center) - half) / max(last, f(1))
    high_edge = (f(center) + half) / max(last, f(1))
    step = (high_edge - low_edge) * last / f(out_size - 1)
    position = low_edge[:, None] * last + np.arange(out_size, dtype=np.float32)[None, :] * step[:, None]
    inside = (position >= 0) & (position <= last)
    low = np.floor(position)
    weight = position - low
    low = np.clip(low, 0, length - 1).astype(np.intp)
    high = np.clip(np.ceil(position), 0, length - 1).astype(np.intp)
    return low, high, weight.astype(np.float32), inside


def crop(image, center, sides, out_size):
    """(N, out, out, 3) float32 windows of side ``sides`` centred on ``center`` = (cx, cy); outside: the image mean.
    Per window: the two source rows of every output row, blended, then the two source columns of every output
    column, blended (bilinear), over the columns the window spans only."""
    height, width = image.shape[:2]
    sides = np.asarray(sides, np.float32).reshape(-1)
    top, bottom, y_weight, y_inside = axis_samples(center[1], sides, height, out_size)
    left, right, x_weight, x_inside = axis_samples(center[0], sides, width, out_size)
    crops = np.empty((len(sides), out_size, out_size, 3), np.float32)
    for k in range(len(sides)):
        first, last = left[k, 0], right[k, -1] + 1
        upper = image[top[k], first:last].astype(np.float32)
        lower = image[bottom[k], first:last].astype(np.float32)
        rows = upper + (lower - upper) * y_weight[k][:, None, None]
        low, high = np.take(rows, left[k] - first, axis=1), np.take(rows, right[k] - first, axis=1)
        crops[k] = low + (high - low) * x_weight[k][None, :, None]
    outside = ~(y_inside[:, :, None] & x_inside[:, None, :])
    if outside.any():
        crops[outside] = image.reshape(-1, 3).mean(axis=0, dtype=np.float64).astype(np.float32)
    return crops


# --- the box on the host (float64) -----------------------------------------------------------------------------------
def first_geometry(box, settings):
    """``(center_box (cx, cy, w, h), sides (exemplar, search))`` of a 0-based ``(x, y, w, h)`` box."""
    x, y, w, h = (float(v) for v in box)
    margin = settings["context"] * (w + h)
    z_side = np.sqrt((w + margin) * (h + margin))
    return (np.array([x + (w - 1) / 2.0, y + (h - 1) / 2.0, w, h]),
            np.array([z_side, z_side * settings["instance_size"] / settings["exemplar_size"]]))


def move(center_box, sides, scale_index, peak, image_shape, settings):
    """The next ``(center_box, sides)``: displacement to the peak, damped scale change, box clipped to the image."""
    scale = settings["scales"][scale_index]
    factor = settings["total_stride"] / settings["response_up"] * sides[1] * scale / settings["instance_size"]
    displacement = (np.asarray(peak[::-1], np.float64) - (settings["upscale"] - 1) / 2.0) * factor
    damped = (1 - settings["scale_lr"]) + settings["scale_lr"] * scale
    proposal = np.concatenate([center_box[:2] + displacement, center_box[2:] * damped])
    if not np.all(np.isfinite(proposal)):
        return center_box, sides
    height, width, low = float(image_shape[0]), float(image_shape[1]), settings["min_size"]
    clipped = np.array([min(max(proposal[0], 0.0), width - 1), min(max(proposal[1], 0.0), height - 1),
                        min(max(proposal[2], low), max(width, low)), min(max(proposal[3], low), max(height, low))])
    ratio = np.sqrt(clipped[2] * clipped[3] / max(center_box[2] * center_box[3], 1e-9))
    return clipped, sides * ratio


def corner_box(center_box):
    return np.concatenate([center_box[:2] - (center_box[2:] - 1) / 2.0, center_box[2:]])


# --- the tracker -----------------------------------------------------------------------------------------------------
class LiteRTTracker:
    """``init(image, box)`` then ``update(image) -> box``: RGB ``uint8`` images, 0-based ``(x, y, w, h)`` boxes."""

    def __init__(self, folder, threads=None):
        with open(os.path.join(folder, "tracker.json"), encoding="utf-8") as handle:
            self.settings = json.load(handle)
        threads = threads or os.cpu_count()
        interpreter = interpreter_class()
        runner = lambda name: interpreter(model_path=os.path.join(folder, f"{name}.tflite"),
                                          num_threads=threads).get_signature_runner()
        # one interpreter per input shape: the exemplar crop and the search pyramid
        self.exemplar_net = runner(self.settings.get("exemplar_model", "backbone"))
        self.search_net, self.start, self.locate = runner("backbone"), runner("start"), runner("locate")
        self.state = self.center_box = self.sides = None

    def init(self, image, box):
        image = np.asarray(image, np.uint8)
        self.center_box, self.sides = first_geometry(box, self.settings)
        exemplar = crop(image, self.center_box[:2].astype(np.float32), self.sides[:1],
                        self.settings["exemplar_size"])
        self.state = dict(self.start(exemplar=self.exemplar_net(images=exemplar)["output_0"]))
        return np.asarray(box, np.float64)

    def update(self, image):
        image = np.asarray(image, np.uint8)
        settings = self.settings
        sides = (self.sides[1] * np.asarray(settings["scales"])).astype(np.float32)
        pyramid = crop(image, self.center_box[:2].astype(np.float32), sides, settings["instance_size"])
        found = self.locate(features=self.search_net(images=pyramid)["output_0"], **self.state)
        self.state.update({key: value for key, value in found.items() if key in self.state})
        self.center_box, self.sides = move(self.center_box, self.sides, int(found["scale"]), found["peak"],
                                           image.shape, settings)
        return corner_box(self.center_box)


# --- OTB folders in, result files out --------------------------------------------------------------------------------
def natural_key(name):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def otb_sequences(folder):
    """``[(name, [image paths], first box 1-based)]`` of one OTB sequence folder or a folder of them."""
    if os.path.isdir(os.path.join(folder, "img")):
        folders = [folder]
    else:
        folders = sorted(os.path.join(folder, n) for n in os.listdir(folder)
                         if os.path.isdir(os.path.join(folder, n, "img")))
    sequences = []
    for path in folders:
        images = sorted((n for n in os.listdir(os.path.join(path, "img")) if n.lower().endswith(IMAGE_EXTENSIONS)),
                        key=natural_key)
        with open(os.path.join(path, "groundtruth_rect.txt"), encoding="utf-8") as handle:
            first = [float(v) for v in re.split(r"[,\s]+", handle.readline().strip())]
        sequences.append((os.path.basename(os.path.normpath(path)),
                          [os.path.join(path, "img", n) for n in images], first))
    return sequences


def read_rgb(path):
    from PIL import Image
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def track(tracker, frames, first_box):
    """Boxes (N, 4) 1-based and per-call seconds over ``frames`` from the 1-based ``first_box``."""
    box = np.asarray(first_box, dtype=np.float64) - [1.0, 1.0, 0.0, 0.0]
    boxes, seconds = [], []
    for index, frame in enumerate(frames):
        start = time.perf_counter()
        found = tracker.init(frame, box) if index == 0 else tracker.update(frame)
        seconds.append(time.perf_counter() - start)
        boxes.append(found + [1.0, 1.0, 0.0, 0.0])
    return np.array(boxes), seconds


def write_results(out_dir, name, boxes, seconds):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"{name}.txt"), "w", encoding="utf-8") as handle:
        handle.write("".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in boxes))
    with open(os.path.join(out_dir, f"{name}_time.txt"), "w", encoding="utf-8") as handle:
        handle.write("".join(f"{s:.6f}\n" for s in seconds))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="the export folder (tf-lu export --format tflite)")
    parser.add_argument("--data", required=True, help="an OTB sequence folder or a folder of them")
    parser.add_argument("--out", required=True, help="folder for the result files")
    parser.add_argument("--threads", type=int, help="interpreter threads (default: every CPU)")
    args = parser.parse_args(argv)
    tracker = LiteRTTracker(args.model, args.threads)
    for name, paths, first in otb_sequences(args.data):
        boxes, seconds = track(tracker, (read_rgb(p) for p in paths), first)
        write_results(args.out, name, boxes, seconds)
        print(f"{name}: {len(boxes)} frames, {len(seconds) / max(sum(seconds), 1e-12):.1f} fps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
