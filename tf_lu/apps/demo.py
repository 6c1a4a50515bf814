"""The main job: track and evaluate on the embedded default (procedural sequences), no downloads.

Generates sequences with :mod:`tf_lu.data.synthetic` (or uses ``--data``), runs the OTB benchmark over the shipped
trackers and OpenCV's peers, and draws every tracker's boxes on the first sequence as an animated GIF.
"""
import os

import numpy as np

from tf_lu.data.sequences import read_otb_dataset
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.evaluation.otb import load_results_file
from tf_lu.tracking.names import DEFAULT_TRACKERS, tracker_label
from tf_lu.apps.visualize import write_annotated


def make_embedded_sequences(folder, count=4, seed=2024, frames=90):
    """Write ``count`` procedural sequences (OTB layout) into ``folder`` unless they are already there."""
    config = SyntheticConfig(num_frames=frames)
    for sequence in generate_dataset(seed, count, config):
        target = os.path.join(folder, sequence.name)
        if not os.path.isfile(os.path.join(target, "groundtruth_rect.txt")):
            write_otb_folder(sequence, target)
    return folder


def run_demo(out_dir, data=None, trackers=DEFAULT_TRACKERS, count=4, progress=True):
    data = data or make_embedded_sequences(os.path.join(out_dir, "sequences"), count)
    sequences = read_otb_dataset(data)
    summary = run_benchmark(list(trackers), sequences, out_dir, progress=progress)
    first = sequences[0]
    labels = [tracker_label(name) for name in trackers]
    boxes = [load_results_file(os.path.join(out_dir, "results", label, f"{first.name}.txt")) for label in labels]
    gif = os.path.join(out_dir, f"{first.name}.gif")
    write_annotated((first.frame(i) for i in range(len(first))), [first.boxes] + boxes, gif, fps=15,
                    labels=["ground truth"] + labels)
    return summary, gif, np.mean([len(s) for s in sequences])
