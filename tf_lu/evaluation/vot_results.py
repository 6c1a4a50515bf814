"""VOT result files and reports: trajectories on disk, the summary recomputed from them, tables and plots.

Layout of the ``results`` folder (the VOT toolkit's, one repetition)::

    <tracker>/<experiment>/<seq>/<seq>_001.txt       one line a frame: 1 init, 2 failure, 0 skipped, else x,y,w,h
    <tracker>/<experiment>/<seq>/<seq>_001_time.txt  seconds of the tracker call on each frame (0: not called)

with ``<experiment>`` ``baseline`` (supervised) or ``realtime``.  Boxes are 0-based, in the ground truth's
coordinates.  A report folder holds ``summary.md``, ``expected_overlap.png``, ``ar_plot.png`` and ``summary.json``.
"""
import json
import os

import numpy as np

from tf_lu.atomic_files import write_text_atomic
from tf_lu.data.box_files import parse_number_rows, read_text
from tf_lu.data.vot_sequences import frame_size, sequence_regions
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import DEFAULT_PRESET, eao_range, is_code, trajectory_overlaps, vot_scores
from tf_lu.evaluation.otb import machine_description, result_trackers
from tf_lu.evaluation.vot_protocol import REALTIME_FPS

EXPERIMENTS = ("baseline", "realtime")


def run_paths(results_dir, tracker, experiment, sequence_name):
    """``(trajectory file, time file)`` of one run."""
    folder = os.path.join(results_dir, tracker, experiment, sequence_name)
    return os.path.join(folder, f"{sequence_name}_001.txt"), os.path.join(folder, f"{sequence_name}_001_time.txt")


def write_run(results_dir, tracker, experiment, sequence_name, run):
    """Write a :class:`~tf_lu.evaluation.vot_protocol.VotRun` as VOT result files, each atomically (the time file
    first, so a whole trajectory file means a whole run)."""
    path, time_path = run_paths(results_dir, tracker, experiment, sequence_name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    lines = [str(int(e)) if is_code(e) else ",".join(f"{v:.4f}" for v in np.asarray(e).reshape(-1))
             for e in run.trajectory]
    write_text_atomic(time_path, "".join(f"{t:.9f}\n" for t in np.asarray(run.times, dtype=np.float64)))
    write_text_atomic(path, "\n".join(lines) + "\n")


def finished_run(results_dir, tracker, experiment, sequence):
    """True when ``results_dir`` holds the whole run (one trajectory line per frame, a time file beside it)."""
    path, time_path = run_paths(results_dir, tracker, experiment, sequence.name)
    if not (os.path.isfile(path) and os.path.isfile(time_path)):
        return False
    try:
        return len(parse_trajectory(read_text(path, "result"), path)) == len(sequence)
    except TfLuError:
        return False


def parse_trajectory(text, source):
    """A VOT result file's text -> trajectory (codes as ints, regions as float arrays)."""
    trajectory = []
    rows = parse_number_rows(text, source, counts=(1, 4, 6, 8, 10, 12, 14, 16))
    lines = [number for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    for row, line in zip(rows, lines):
        if row.size == 1:
            if row[0] not in (0, 1, 2):
                raise TfLuError(f"{source}, line {line}: a one-value line must be 0, 1 or 2, got {row[0]:g}")
            trajectory.append(int(row[0]))
        else:
            trajectory.append(row)
    return trajectory


def read_run(results_dir, tracker, experiment, sequence):
    """``(trajectory, times or None)`` of one run, checked against the sequence's length."""
    path, time_path = run_paths(results_dir, tracker, experiment, sequence.name)
    trajectory = parse_trajectory(read_text(path, "result"), path)
    if len(trajectory) != len(sequence):
        raise TfLuError(f"{path}: {len(trajectory)} lines but the sequence has {len(sequence)} frames")
    times = None
    if os.path.isfile(time_path):
        try:
            times = np.loadtxt(time_path, dtype=np.float64, ndmin=1)
        except ValueError:
            raise TfLuError(f"unreadable time file: {time_path}") from None
    return trajectory, times


def _fps(runs):
    """Frames the tracker was called on per second of calls; ``None`` without time files."""
    times = [t for _, _, t in runs]
    if any(t is None for t in times):
        return None
    seconds = float(sum(np.sum(t) for t in times))
    return float(sum(np.count_nonzero(t) for t in times) / max(seconds, 1e-12))


def score_experiment(results_dir, tracker, experiment, sequences, preset, bounds):
    """:func:`~tf_lu.evaluation.eao.vot_scores` of one tracker's result files of one experiment (``fps`` added),
    or ``None`` when that experiment has no results."""
    if not os.path.isdir(os.path.join(results_dir, tracker, experiment)):
        return None
    runs = []
    for sequence in sequences:
        trajectory, times = read_run(results_dir, tracker, experiment, sequence)
        runs.append((trajectory, trajectory_overlaps(trajectory, sequence_regions(sequence), bounds[sequence.name]),
                     times))
    scores = vot_scores([(t, o) for t, o, _ in runs], preset)
    scores["fps"] = _fps(runs)
    for entry, run in zip(scores["sequences"], runs):
        entry["fps"] = _fps([run])
    return scores


def _summary_entry(baseline, realtime, sequences):
    """One tracker's ``summary.json`` entry from its two experiments' scores."""
    if baseline is None:
        raise TfLuError("no baseline results")
    entry = {"eao": baseline["eao"], "accuracy": baseline["accuracy"], "robustness": baseline["robustness"],
             "failures": baseline["failures"], "eao_realtime": None, "accuracy_realtime": None,
             "robustness_realtime": None, "failures_realtime": None, "fps": baseline["fps"],
             "frames": baseline["frames"], "sequences": {}}
    if realtime is not None:
        entry.update(eao_realtime=realtime["eao"], accuracy_realtime=realtime["accuracy"],
                     robustness_realtime=realtime["robustness"], failures_realtime=realtime["failures"])
    for index, sequence in enumerate(sequences):
        figures = dict(baseline["sequences"][index])
        if realtime is not None:
            figures.update(accuracy_realtime=realtime["sequences"][index]["accuracy"],
                           failures_realtime=realtime["sequences"][index]["failures"])
        entry["sequences"][sequence.name] = figures
    return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in entry.items()}


def evaluate_vot_results(results_dir, sequences, trackers=None, preset=DEFAULT_PRESET):
    """``(summary trackers part, curves)`` from the result files: ``curves`` is ``{tracker: {experiment: expected
    overlap curve}}``.  ``trackers`` defaults to every sub-folder of ``results_dir``."""
    trackers = result_trackers(results_dir, trackers)
    eao_range(preset)
    bounds = {sequence.name: frame_size(sequence) for sequence in sequences}
    summary, curves = {}, {}
    for tracker in trackers:
        scores = {e: score_experiment(results_dir, tracker, e, sequences, preset, bounds) for e in EXPERIMENTS}
        if scores["baseline"] is None:
            raise TfLuError(f"{os.path.join(results_dir, tracker)}: no baseline results")
        summary[tracker] = _summary_entry(scores["baseline"], scores["realtime"], sequences)
        curves[tracker] = {e: s["curve"] for e, s in scores.items() if s is not None}
    return summary, curves


# -------------------------------------------------------------------------------------------------------- reports

def _cell(value, digits):
    return "n/a" if value is None else f"{value:.{digits}f}"


def markdown_table(summary):
    """The main table: EAO, accuracy, robustness, failures, realtime EAO, fps."""
    lines = ["| tracker | EAO | accuracy | robustness (failures / 100 frames) | failures | realtime EAO | fps |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, e in summary["trackers"].items():
        lines.append(f"| {name} | {_cell(e['eao'], 3)} | {_cell(e['accuracy'], 3)} | {_cell(e['robustness'], 2)} | "
                     f"{e['failures']} | {_cell(e['eao_realtime'], 3)} | {_cell(e['fps'], 1)} |")
    return "\n".join(lines)


def markdown_report(summary):
    """The whole ``summary.md``: settings, the main table and accuracy / failures per sequence."""
    names = list(summary["trackers"])
    sequences = list(summary["trackers"][names[0]]["sequences"]) if names else []
    low, high = summary["eao_range"]
    lines = ["# VOT supervised evaluation", "", f"Machine: {summary['machine']}", "",
             f"EAO over [{low}, {high}] frames after each (re-)initialisation (preset {summary['preset']}, "
             f"as vot-toolkit 0.9); failure at overlap 0, "
             f"re-initialisation 5 frames later, accuracy without the 10 burn-in frames of each (re-)initialisation; "
             f"realtime: frames arrive at {summary['realtime_fps']:g} fps.", "", markdown_table(summary), "",
             "## Accuracy / failures per sequence", "", "| sequence | " + " | ".join(names) + " |",
             "|---|" + "---:|" * len(names)]
    for seq in sequences:
        cells = [f"{_cell(summary['trackers'][n]['sequences'][seq]['accuracy'], 3)} / "
                 f"{summary['trackers'][n]['sequences'][seq]['failures']}" for n in names]
        lines.append(f"| {seq} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 5), dpi=100)
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot(1, 1, 1)


def plot_expected_overlap(curves, summary, path):
    """Expected overlap against the frames after a (re-)initialisation (baseline solid, realtime dashed), the EAO
    range shaded."""
    figure, axes = _figure()
    low, high = summary["eao_range"]
    axes.axvspan(low, high, color="0.9", label=f"EAO range [{low}, {high}]")
    for index, (tracker, by_experiment) in enumerate(curves.items()):
        for experiment, style in (("baseline", "-"), ("realtime", "--")):
            if experiment in by_experiment:
                curve = by_experiment[experiment]
                key = "eao" if experiment == "baseline" else "eao_realtime"
                label = f"{tracker}{' realtime' if experiment == 'realtime' else ''} " \
                        f"[{_cell(summary['trackers'][tracker][key], 3)}]"
                axes.plot(np.arange(len(curve)), curve, style, color=f"C{index % 10}", label=label)
    axes.set(title="Expected overlap", xlabel="Frames after (re-)initialisation", ylabel="Expected average overlap",
             ylim=(0, 1.02))
    axes.grid(True, alpha=0.3)
    axes.legend(loc="upper right", fontsize=7)
    figure.tight_layout()
    figure.savefig(path)


def plot_accuracy_robustness(summary, path):
    """Accuracy against failures per 100 frames, one point per tracker (hollow: realtime)."""
    figure, axes = _figure()
    for index, (tracker, entry) in enumerate(summary["trackers"].items()):
        colour = f"C{index % 10}"
        if entry["accuracy"] is not None:
            axes.plot(entry["robustness"], entry["accuracy"], "o", color=colour, label=tracker)
        if entry["accuracy_realtime"] is not None:
            axes.plot(entry["robustness_realtime"], entry["accuracy_realtime"], "o", mfc="none", color=colour)
    axes.set(title="Accuracy-robustness (hollow: realtime)", xlabel="Failures per 100 frames (fewer is better)",
             ylabel="Accuracy", ylim=(0, 1.02))
    axes.set_xlim(left=0)
    axes.grid(True, alpha=0.3)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path)


def write_vot_report(out_dir, results_dir, sequences, trackers=None, preset=DEFAULT_PRESET, machine=None,
                     realtime_fps=REALTIME_FPS):
    """Summarise the VOT result files in ``results_dir`` into ``out_dir`` (``summary.md``, the two plots, then
    ``summary.json``); returns the summary dict."""
    trackers_part, curves = evaluate_vot_results(results_dir, sequences, trackers, preset)
    summary = {"protocol": "vot", "machine": machine or machine_description(),
               "preset": preset if isinstance(preset, str) else "custom", "eao_range": list(eao_range(preset)),
               "realtime_fps": float(realtime_fps), "trackers": trackers_part}
    with open(os.path.join(out_dir, "summary.md"), "w", encoding="utf-8") as handle:
        handle.write(markdown_report(summary))
    plot_expected_overlap(curves, summary, os.path.join(out_dir, "expected_overlap.png"))
    plot_accuracy_robustness(summary, os.path.join(out_dir, "ar_plot.png"))
    with open(os.path.join(out_dir, "summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
        handle.write("\n")
    return summary
