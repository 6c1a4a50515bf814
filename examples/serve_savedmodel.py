"""Track with an exported tf_lu tracker using TensorFlow, NumPy and Pillow only (no tf_lu needed).

Export a tracker first (``tf-lu export --tracker siamfc-learned --out exported/siamfc-learned``), then::

    python serve_savedmodel.py --model exported/siamfc-learned --data OTB_FOLDER --out results/
    python serve_savedmodel.py --model exported/siamfc-learned --video clip.mp4 --box 10,20,40,30 --out results/

``OTB_FOLDER`` is one sequence (``img/`` + ``groundtruth_rect.txt``, whose first line gives the first box) or a folder
of such sequences.  Writes ``OUT/<sequence>.txt`` (one 1-based ``x,y,w,h`` line per frame, the OTB result format) and
``OUT/<sequence>_time.txt`` (seconds of each init/step call).  ``--box`` is 1-based like the OTB files; reading a
video needs OpenCV.
"""
import argparse
import os
import re
import sys
import time

import numpy as np
import tensorflow as tf
from PIL import Image

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp")


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
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def video_frames(path):
    import cv2  # only for videos
    capture = cv2.VideoCapture(path)
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
    capture.release()


def track(model, frames, first_box):
    """Boxes (N, 4) 1-based and per-call seconds: ``init`` on the first frame, ``serving_default`` on the rest."""
    init, step = model.signatures["init"], model.signatures["serving_default"]
    box = np.asarray(first_box, dtype=np.float64) - [1.0, 1.0, 0.0, 0.0]     # 1-based -> 0-based
    boxes, seconds = [], []
    for index, frame in enumerate(frames):
        frame = tf.constant(frame, tf.uint8)
        start = time.perf_counter()
        if index == 0:
            state = init(frame=frame, box=tf.constant(box))
            found = box
        else:
            out = step(frame=frame, **state)
            found = out.pop("box").numpy()
            out.pop("score")
            state = out
        seconds.append(time.perf_counter() - start)
        boxes.append(found + [1.0, 1.0, 0.0, 0.0])                        # 0-based -> 1-based
    return np.array(boxes), seconds


def write_results(out_dir, name, boxes, seconds):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, f"{name}.txt"), "w", encoding="utf-8") as handle:
        handle.write("".join(",".join(f"{v:.3f}" for v in row) + "\n" for row in boxes))
    with open(os.path.join(out_dir, f"{name}_time.txt"), "w", encoding="utf-8") as handle:
        handle.write("".join(f"{s:.6f}\n" for s in seconds))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="the exported SavedModel folder")
    parser.add_argument("--data", help="an OTB sequence folder or a folder of them")
    parser.add_argument("--video", help="a video file (with --box)")
    parser.add_argument("--box", help="the first box of --video, 1-based x,y,w,h")
    parser.add_argument("--out", required=True, help="folder for the result files")
    args = parser.parse_args(argv)
    if bool(args.data) == bool(args.video) or (args.video and not args.box):
        parser.error("give --data, or --video with --box")
    model = tf.saved_model.load(args.model)
    if args.video:
        runs = [(os.path.splitext(os.path.basename(args.video))[0], video_frames(args.video),
                 [float(v) for v in args.box.split(",")])]
    else:
        runs = [(name, (read_rgb(p) for p in paths), box) for name, paths, box in otb_sequences(args.data)]
    for name, frames, box in runs:
        boxes, seconds = track(model, frames, box)
        write_results(args.out, name, boxes, seconds)
        print(f"{name}: {len(boxes)} frames, {len(seconds) / max(sum(seconds), 1e-12):.1f} fps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
