"""Helpers of the ``tf-lu app`` tests: tiny generated sequences and videos, and what ``tf-lu track`` gives for them."""
import os

import numpy as np

from tf_lu.cli.main import main
from test_track_video import square_frame   # a 64x48 frame, a bright square moving 2 px right per frame
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder

FRAMES, HEIGHT, WIDTH = 10, 96, 128


def write_sequences(folder, count=1, seed=5):
    """``count`` generated OTB-layout sequences of :data:`FRAMES` frames, :data:`WIDTH` x :data:`HEIGHT`."""
    sequences = generate_dataset(seed, count, SyntheticConfig(num_frames=FRAMES, height=HEIGHT, width=WIDTH))
    for sequence in sequences:
        write_otb_folder(sequence, os.path.join(folder, sequence.name))
    return sequences


def write_video(path, frames=6):
    """A small MJPG ``.avi`` (64x48) of ``square_frame`` frames."""
    import cv2
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (64, 48))
    assert writer.isOpened()
    for i in range(frames):
        writer.write(np.ascontiguousarray(square_frame(i)[:, :, ::-1]))
    writer.release()
    return path


def tf_lu_track(source, box, tracker, out):
    """The text of the ``boxes.txt`` that ``tf-lu track`` writes for ``source``, ``box`` (``"x,y,w,h"``, 0-based)
    and ``tracker``."""
    status = main(["track", "--source", str(source), f"--box={box}", "--tracker", tracker, "--out", str(out),
                   "--no-video", "--quiet"])
    assert status == 0
    with open(os.path.join(out, "boxes.txt"), encoding="utf-8") as handle:
        return handle.read()
