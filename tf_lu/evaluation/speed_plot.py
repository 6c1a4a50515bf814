"""Speed against accuracy: every tracker of one benchmark as a point (fps, mean AUC), as a table and a plot.

The fps of one benchmark run are comparable with each other (every tracker ran on the same frames, in turn, frame by
frame), not with another run's on a shared machine; so the table also gives each tracker's fps and mean AUC
relative to a reference tracker of the same run.
"""
import os

from tf_lu.errors import TfLuError


def speed_rows(summary, reference=None):
    """``[(tracker, fps, auc, fps / reference fps, auc - reference auc)]`` sorted by fps, fastest first."""
    trackers = summary["trackers"]
    timed = {name: entry for name, entry in trackers.items() if entry.get("fps")}
    if not timed:
        raise TfLuError("no tracker of these results has timings (<seq>_time.txt files)")
    reference = reference if reference in timed else next(iter(timed))
    base = timed[reference]
    rows = [(name, entry["fps"], entry["auc"], entry["fps"] / base["fps"], entry["auc"] - base["auc"])
            for name, entry in timed.items()]
    return sorted(rows, key=lambda row: -row[1]), reference


def speed_table(rows, reference):
    lines = [f"| tracker | fps | mean AUC | fps / {reference} | AUC - {reference} |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {name} | {fps:.1f} | {auc:.4f} | {ratio:.2f}x | {difference:+.4f} |"
              for name, fps, auc, ratio, difference in rows]
    return "\n".join(lines)


def plot_speed(rows, path, title="Speed against accuracy"):
    """Mean AUC against fps (log axis), one point per tracker, named in the legend with its fps and AUC."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter
    figure = Figure(figsize=(10, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    for index, (name, fps, auc, _, _) in enumerate(rows):
        axes.scatter([fps], [auc], color=f"C{index % 10}", marker="os^Dv"[index // 10 % 5], s=45, zorder=3,
                     label=f"{name} ({fps:.1f} fps, {auc:.3f})")
    axes.set_xscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:g}")
    axes.xaxis.set_major_formatter(plain)
    axes.xaxis.set_minor_formatter(plain)
    axes.set(title=title, xlabel="frames per second (log scale)", ylabel="mean AUC (success)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=7)
    figure.tight_layout()
    figure.savefig(path)


def write_speed_plot(out_dir, summary, reference=None):
    """``out_dir/speed_auc.md`` and ``speed_auc.png``; returns the table."""
    rows, reference = speed_rows(summary, reference)
    table = speed_table(rows, reference)
    with open(os.path.join(out_dir, "speed_auc.md"), "w", encoding="utf-8") as handle:
        handle.write(table + "\n")
    plot_speed(rows, os.path.join(out_dir, "speed_auc.png"))
    return table
