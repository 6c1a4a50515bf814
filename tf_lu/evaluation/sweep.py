"""One parameter swept over several trackers: mean AUC against the parameter's value, as a table and a plot.

A sweep is a set of trackers named ``<prefix><value>`` in one benchmark summary (for example ``siamfc-ema-0.01`` ..
``siamfc-ema-0.20``, made from config files by :func:`tf_lu.tracking.registry.tracker_label`).  :func:`sweep_points` reads
them; with a reference tracker (usually no update) every point also gets the paired bootstrap interval of its
difference from the reference (:mod:`tf_lu.evaluation.compare`), drawn as an error bar around the point.
"""
import dataclasses
import os
from typing import Optional, Tuple

from tf_lu.errors import TfLuError
from tf_lu.evaluation.compare import paired_comparison


@dataclasses.dataclass(frozen=True)
class SweepPoint:
    value: float
    tracker: str
    auc: float
    precision: float
    difference: Optional[float] = None                 # mean per-sequence AUC - the reference's
    interval: Optional[Tuple[float, float]] = None     # 95% bootstrap interval of that difference
    record: Optional[Tuple[int, int, int]] = None      # sequences won / lost / tied against the reference


def sweep_points(summary, prefix, reference=None):
    """The trackers of ``summary`` named ``prefix`` + a number, sorted by that number."""
    trackers = summary["trackers"]
    compared = paired_comparison(trackers, reference) if reference is not None else {}
    points = []
    for name, entry in trackers.items():
        if not name.startswith(prefix):
            continue
        try:
            value = float(name[len(prefix):])
        except ValueError:
            continue
        point = SweepPoint(value, name, entry["auc"], entry["precision"])
        if name in compared:
            c = compared[name]
            point = dataclasses.replace(point, difference=c["mean_difference"], interval=(c["low"], c["high"]),
                                        record=(c["wins"], c["losses"], c["ties"]))
        points.append(point)
    if not points:
        raise TfLuError(f"no tracker named {prefix}<number> in the results (trackers: {', '.join(trackers)})")
    return sorted(points, key=lambda p: p.value)


def sweep_table(points, reference=None):
    """Markdown: value, tracker, mean AUC, precision, and the difference from ``reference`` with its interval."""
    header = "| value | tracker | mean AUC | precision@20 |"
    rule = "|---:|---|---:|---:|"
    if reference is not None:
        header += f" AUC - {reference} [95% interval] | wins / losses / ties |"
        rule += "---:|---:|"
    lines = [header, rule]
    for p in points:
        row = f"| {p.value:g} | {p.tracker} | {p.auc:.3f} | {p.precision:.3f} |"
        if reference is not None and p.difference is None:
            row += " - | - |"
        elif reference is not None:
            row += (f" {p.difference:+.3f} [{p.interval[0]:+.3f}, {p.interval[1]:+.3f}] |"
                    f" {p.record[0]} / {p.record[1]} / {p.record[2]} |")
        lines.append(row)
    best = max(points, key=lambda p: (p.auc, -p.value))
    lines += ["", f"Highest mean AUC: {best.tracker} ({best.auc:.3f}; a tie goes to the smaller value)."]
    return "\n".join(lines) + "\n"


def plot_sweep(points, path, xlabel="value", reference=None, reference_auc=None, title=None, log_x=False):
    """Mean AUC against the swept value; with a reference, its AUC as a dashed line and each point's interval of the
    difference from it (shifted onto the reference's AUC) as an error bar."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.5, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    values, aucs = [p.value for p in points], [p.auc for p in points]
    if reference is not None and reference_auc is not None and all(p.interval for p in points):
        low = [max(0.0, p.auc - (reference_auc + p.interval[0])) for p in points]
        high = [max(0.0, (reference_auc + p.interval[1]) - p.auc) for p in points]
        axes.errorbar(values, aucs, yerr=[low, high], fmt="o-", color="C0", capsize=3, linewidth=1.5,
                      label="mean AUC (bars: 95% interval of the difference)")
        axes.axhline(reference_auc, color="C3", linestyle="--", linewidth=1.2, label=f"{reference} [{reference_auc:.3f}]")
    else:
        axes.plot(values, aucs, "o-", color="C0", linewidth=1.5, label="mean AUC")
    if log_x:
        axes.set_xscale("log")
    axes.set(title=title or "Mean AUC against the swept value", xlabel=xlabel, ylabel="Mean AUC (OTB success)")
    axes.grid(True, alpha=0.3)
    axes.legend(loc="best", fontsize=8)
    figure.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    figure.savefig(path)
    return path


def write_sweep(out_dir, summary, prefix, reference=None, xlabel="value", log_x=False, title=None):
    """``sweep.md`` (the table) and ``sweep.png`` (the plot) of ``prefix``'s trackers in ``out_dir``; returns the
    table."""
    points = sweep_points(summary, prefix, reference)
    reference_auc = summary["trackers"][reference]["auc"] if reference is not None else None
    table = sweep_table(points, reference)
    with open(os.path.join(out_dir, "sweep.md"), "w", encoding="utf-8") as handle:
        handle.write(f"# Sweep of {prefix}<value>\n\n" + table)
    plot_sweep(points, os.path.join(out_dir, "sweep.png"), xlabel, reference, reference_auc, title, log_x)
    return table
