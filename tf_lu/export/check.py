"""Checks an export against the tracker it came from: both run over the same sequences, in turn per sequence (so a
change of load on a shared machine touches both alike), giving each one's fps and the largest box difference."""
import numpy as np
import tensorflow as tf

from tf_lu.evaluation.benchmark import warm_up
from tf_lu.evaluation.otb import run_sequence


class ServedTracker:
    """An exported SavedModel behind the tracker interface: ``init(image, box)``, ``update(image) -> box``."""

    def __init__(self, model_dir, name="served"):
        model = tf.saved_model.load(model_dir)
        self.model, self.name = model, name
        self._init, self._step = model.signatures["init"], model.signatures["serving_default"]
        self.state = None

    def init(self, image, box):
        self.state = self._init(frame=tf.constant(image, tf.uint8), box=tf.constant(box, tf.float64))
        return box

    def update(self, image):
        out = self._step(frame=tf.constant(image, tf.uint8), **self.state)
        box, _ = out.pop("box"), out.pop("score")
        self.state = out
        return box.numpy()


def compare_with_python(served, tracker, sequences, report=None):
    """``{"sequences": {name: {python_fps, served_fps, max_diff_px}}, "python_fps", "served_fps", "max_diff_px"}``;
    ``report(name, row)`` is called as each sequence is done."""
    warm_up(tracker, sequences[0])
    warm_up(served, sequences[0])
    rows, totals = {}, {"python": [0, 0.0], "served": [0, 0.0]}
    for index, sequence in enumerate(sequences):
        order = [("python", tracker), ("served", served)]
        runs = dict((kind, run_sequence(runner, sequence)) for kind, runner in (order[::-1] if index % 2 else order))
        row = {"max_diff_px": float(np.abs(runs["python"][0] - runs["served"][0]).max())}
        for kind, (_, times) in runs.items():
            row[f"{kind}_fps"] = len(times) / max(float(np.sum(times)), 1e-12)
            totals[kind][0] += len(times)
            totals[kind][1] += float(np.sum(times))
        rows[sequence.name] = row
        if report is not None:
            report(sequence.name, row)
    return {"sequences": rows, "python_fps": totals["python"][0] / max(totals["python"][1], 1e-12),
            "served_fps": totals["served"][0] / max(totals["served"][1], 1e-12),
            "max_diff_px": max(row["max_diff_px"] for row in rows.values())}


TABLE_HEAD = "| sequence | Python tracker fps | served fps | largest box difference (px) |\n|---|---:|---:|---:|"


def table_row(name, row):
    return f"| {name} | {row['python_fps']:.1f} | {row['served_fps']:.1f} | {row['max_diff_px']:.2e} |"
