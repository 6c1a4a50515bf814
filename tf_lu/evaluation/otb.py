"""OTB one-pass evaluation: run trackers over sequences, write OTB result files, summarise, plot.

Layout of a benchmark folder ``OUT``::

    results/<tracker>/<seq>.txt       boxes, 1-based x,y,w,h, one line per frame (OTB result format)
    results/<tracker>/<seq>_time.txt  seconds of each init/update call (the got10k layout)
    summary.json  summary.md  success_plot.png  precision_plot.png

Every file is written atomically (a temporary file, then a rename); the benchmark runner
(:func:`tf_lu.evaluation.benchmark.run_benchmark`, protocol :class:`~tf_lu.evaluation.protocols.OtbProtocol`) writes a
run's result files as soon as it ends and ``summary.json`` last.
"""
import json
import os
import platform
import shutil
import subprocess
import sys

import numpy as np

from tf_lu.atomic_files import write_text_atomic
from tf_lu.data.box_files import read_box_file, write_box_file
from tf_lu.errors import TfLuError
from tf_lu.tracking.loop import timed_call, track_frames
from tf_lu.evaluation.compare import comparison_table, paired_comparison
from tf_lu.evaluation.metrics import (PRECISION_AT, PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS, precision_curve,
                                      sequence_metrics, success_curve)


def run_sequence(tracker, sequence, bar=None):
    """One OTB pass: ``init`` on frame 0 with the ground-truth box, ``update`` on every later frame.

    Returns ``(boxes (N, 4) 0-based, times)``: ``times`` holds the seconds of each init/update call, frame decoding
    excluded.  ``bar`` (a tqdm bar) is advanced by one per frame.
    """
    boxes = np.empty((len(sequence), 4), dtype=np.float64)
    times = []
    frames = (sequence.frame(index) for index in range(len(sequence)))
    for index, _, box, seconds in track_frames(tracker, frames, sequence.init_box):
        boxes[index] = box
        times.append(seconds)
        if bar is not None:
            bar.update(1)
    return boxes, times


TURN_FRAMES = 16     # frames one tracker takes per turn (about 0.3 s): caches stay warm within a turn


def run_sequence_together(trackers, sequence, bar=None, turn_frames=TURN_FRAMES):
    """One OTB pass of every tracker of ``trackers`` (``{label: tracker}``) over ``sequence``, taking turns: the next
    ``turn_frames`` frames are decoded once and every tracker tracks them in turn, the order rotating by one each turn,
    so a change of load on the machine (seconds long, where one tracker's pass over a sequence takes several) touches
    every tracker alike, while a tracker's weights stay in the caches within its turn.  Returns
    ``{label: (boxes, times)}`` as :func:`run_sequence` gives them; ``bar`` is advanced by one per tracker and frame."""
    labels = list(trackers)
    init_box = np.asarray(sequence.init_box, dtype=np.float64).reshape(4)
    boxes = {label: np.empty((len(sequence), 4), dtype=np.float64) for label in labels}
    times = {label: [] for label in labels}
    for turn, start in enumerate(range(0, len(sequence), turn_frames)):
        frames = [(index, sequence.frame(index)) for index in range(start, min(start + turn_frames, len(sequence)))]
        first = turn % len(labels)
        for label in labels[first:] + labels[:first]:
            for index, frame in frames:
                boxes[label][index], seconds = timed_call(trackers[label], index, frame, init_box)
                times[label].append(seconds)
            if bar is not None:
                bar.update(len(frames))
    return {label: (boxes[label], times[label]) for label in labels}


# ---------------------------------------------------------------------------------------------------- result files

def write_results_file(path, boxes):
    """Write 0-based boxes as an OTB result file (1-based ``x,y,w,h`` lines, 3 decimals), atomically."""
    write_box_file(path, boxes, decimals=3)


def write_times_file(path, times):
    """Write per-frame seconds, one a line, atomically."""
    write_text_atomic(path, "".join(f"{t:.9f}\n" for t in times))


def load_results_file(path):
    """Read an OTB result file (1-based) into 0-based ``(N, 4)`` boxes."""
    return read_box_file(path, what="result")


def _load_times(path):
    """Per-frame seconds from a ``<seq>_time.txt`` file, or ``None`` when there is none."""
    if not os.path.isfile(path):
        return None
    try:
        return np.loadtxt(path, dtype=np.float64, ndmin=1)
    except ValueError:
        raise TfLuError(f"unreadable time file: {path}") from None


def _tracker_runs(results_dir, tracker, sequences):
    """``[(sequence, boxes, times or None)]`` of one tracker's result files, checked against the sequences."""
    runs = []
    for sequence in sequences:
        path = os.path.join(results_dir, tracker, f"{sequence.name}.txt")
        boxes = load_results_file(path)
        if len(boxes) != len(sequence):
            raise TfLuError(f"{path}: {len(boxes)} boxes but the sequence has {len(sequence)} frames")
        runs.append((sequence, boxes, _load_times(os.path.join(results_dir, tracker, f"{sequence.name}_time.txt"))))
    return runs


def _fps(frames, seconds):
    return float(frames / max(seconds, 1e-12))


def result_trackers(results_dir, trackers=None):
    """The trackers of a results folder: ``trackers`` if given, else every sub-folder; a missing or empty folder is
    a :class:`TfLuError`."""
    if not os.path.isdir(results_dir):
        raise TfLuError(f"results folder not found: {results_dir}")
    if trackers is None:
        trackers = sorted(n for n in os.listdir(results_dir) if os.path.isdir(os.path.join(results_dir, n)))
    if not trackers:
        raise TfLuError(f"{results_dir}: no tracker result folders")
    return trackers


def evaluate_result_dir(results_dir, sequences, trackers=None):
    """Recompute the summary from result files: ``{tracker: {auc, precision, fps, frames, sequences: {seq: {auc,
    precision, fps}}}}`` (the ``trackers`` part of ``summary.json``).  ``trackers`` defaults to every sub-folder of
    ``results_dir``; ``fps`` is ``None`` where no time file exists."""
    trackers = result_trackers(results_dir, trackers)
    summary = {}
    for tracker in trackers:
        per_sequence, frames, seconds = {}, 0, 0.0
        for sequence, boxes, times in _tracker_runs(results_dir, tracker, sequences):
            entry = sequence_metrics(boxes, sequence.boxes)
            entry["fps"] = None if times is None else _fps(len(times), float(np.sum(times)))
            per_sequence[sequence.name] = entry
            frames += len(boxes)
            seconds = None if times is None or seconds is None else seconds + float(np.sum(times))
        summary[tracker] = {
            "auc": float(np.mean([e["auc"] for e in per_sequence.values()])),
            "precision": float(np.mean([e["precision"] for e in per_sequence.values()])),
            "fps": None if seconds is None else _fps(frames, seconds),
            "frames": int(frames),
            "sequences": per_sequence,
        }
    return summary


# -------------------------------------------------------------------------------------------------------- reports

def machine_description():
    """``"<cpu>, <n> CPU cores, GPU: <names or none>"`` for the summary."""
    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")), "")
    except OSError:
        pass
    cpu = cpu or platform.processor() or platform.machine() or "unknown CPU"
    return f"{cpu}, {os.cpu_count()} CPU cores, GPU: {_gpu_names() or 'none'}"


def _gpu_names():
    if "tensorflow" in sys.modules:  # only ask TF when a tracker already loaded it
        try:
            gpus = sys.modules["tensorflow"].config.list_physical_devices("GPU")
            if gpus:
                return ", ".join(g.name for g in gpus)
        except Exception:  # noqa: BLE001 - a description must never fail the benchmark
            pass
    if shutil.which("nvidia-smi"):
        try:
            out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True,
                                 text=True, timeout=10, check=False).stdout
            return ", ".join(line.strip() for line in out.splitlines() if line.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return ""


def _number(value, digits):
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown_table(summary):
    """The main table: tracker, mean AUC, precision@20, fps, frames."""
    lines = ["| tracker | mean AUC | precision@20 | fps | frames |", "|---|---:|---:|---:|---:|"]
    for name, entry in summary["trackers"].items():
        lines.append(f"| {name} | {_number(entry['auc'], 3)} | {_number(entry['precision'], 3)} | "
                     f"{_number(entry['fps'], 1)} | {entry['frames']} |")
    return "\n".join(lines)


def markdown_report(summary, reference=None):
    """The whole ``summary.md``: the main table, a per-sequence AUC table and, with two trackers or more, a paired
    comparison of each with ``reference`` (default: the first tracker)."""
    names = list(summary["trackers"])
    sequences = list(next(iter(summary["trackers"].values()))["sequences"]) if names else []
    lines = ["# OTB one-pass evaluation", "", f"Machine: {summary['machine']}", "", markdown_table(summary), "",
             "## AUC per sequence", "", "| sequence | " + " | ".join(names) + " |",
             "|---|" + "---:|" * len(names)]
    for seq in sequences:
        cells = [_number(summary["trackers"][n]["sequences"][seq]["auc"], 3) for n in names]
        lines.append(f"| {seq} | " + " | ".join(cells) + " |")
    if len(names) > 1:
        reference = reference or names[0]
        lines += ["", f"## Paired comparison with {reference}", "",
                  "Mean per-sequence AUC difference, its 95% bootstrap interval over sequences (10,000 resamples, "
                  "seed 0) and the sequences won, lost and tied (|difference| < 0.001). An interval containing 0 "
                  "means these sequences cannot tell the two trackers apart.", "",
                  comparison_table(paired_comparison(summary["trackers"], reference), reference)]
    return "\n".join(lines) + "\n"


def plot_curves(results_dir, sequences, trackers, out_dir):
    """Write ``success_plot.png`` and ``precision_plot.png`` (OTB style: mean curves, score in the legend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    trackers, curves = list(trackers), {}
    for tracker in trackers:
        runs = _tracker_runs(results_dir, tracker, sequences)
        curves[tracker] = (np.mean([success_curve(b, s.boxes) for s, b, _ in runs], axis=0),
                           np.mean([precision_curve(b, s.boxes) for s, b, _ in runs], axis=0))
    plots = [("success_plot.png", 0, SUCCESS_THRESHOLDS, np.mean, "Success plots of OPE", "Overlap threshold",
              "Success rate", "lower left"),
             ("precision_plot.png", 1, PRECISION_THRESHOLDS, lambda c: c[PRECISION_AT], "Precision plots of OPE",
              "Location error threshold (px)", "Precision", "lower right")]
    for filename, which, x, score, title, xlabel, ylabel, loc in plots:
        figure = Figure(figsize=(6, 5), dpi=100)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot(1, 1, 1)
        ranked = sorted(curves, key=lambda t: -score(curves[t][which]))
        for tracker in ranked:  # legend by score, colour and line style fixed per tracker across both plots
            curve, index = curves[tracker][which], trackers.index(tracker)
            axes.plot(x, curve, color=f"C{index % 10}", linestyle=("-", "--", ":")[index // 10 % 3], linewidth=2,
                      label=f"{tracker} [{score(curve):.3f}]")
        axes.set(title=title, xlabel=xlabel, ylabel=ylabel, xlim=(x[0], x[-1]), ylim=(0, 1.02))
        axes.grid(True, alpha=0.3)
        axes.legend(loc=loc, fontsize=8)
        figure.tight_layout()
        figure.savefig(os.path.join(out_dir, filename))


def write_report(out_dir, results_dir, sequences, trackers=None, machine=None, reference=None):
    """Summarise the result files in ``results_dir`` into ``out_dir``: ``summary.md``, the two plots, and
    ``summary.json`` last.  Returns the summary dict.  Use it to regenerate tables from raw results."""
    summary = {"protocol": "otb", "machine": machine or machine_description(),
               "trackers": evaluate_result_dir(results_dir, sequences, trackers)}
    write_text_atomic(os.path.join(out_dir, "summary.md"), markdown_report(summary, reference))
    plot_curves(results_dir, sequences, list(summary["trackers"]), out_dir)
    write_text_atomic(os.path.join(out_dir, "summary.json"), json.dumps(summary, indent=2) + "\n")
    return summary


# ------------------------------------------------------------------------------------------------------ resuming

def finished_run(results_dir, tracker, sequence):
    """True when ``results_dir`` already holds ``tracker``'s whole run over ``sequence`` (a box file with one row per
    frame and a time file beside it), as a benchmark killed part-way leaves the pairs it finished."""
    boxes_path = os.path.join(results_dir, tracker, f"{sequence.name}.txt")
    if not os.path.isfile(boxes_path) or not os.path.isfile(os.path.join(results_dir, tracker,
                                                                          f"{sequence.name}_time.txt")):
        return False
    try:
        return len(load_results_file(boxes_path)) == len(sequence)
    except TfLuError:
        return False
