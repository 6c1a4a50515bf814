"""The report of an updater search (:mod:`tf_lu.apps.search_updater`): every trial as a table and a plot, and the best
trial's settings as a tracker config.

``trials.md`` and ``trials.json`` list the trials best first (values, out-of-fold AUC overall and per fold, status);
``trials.png`` draws the AUC of each trial in the order they ran with the best so far, and the AUC against each searched
value; ``best_tracker.yaml`` is the searched tracker config with the best trial's values (``base:`` the searched config),
to be meta-trained on every training sequence before tracking with it (its ``updater.learned.weights`` is left empty).
"""
import json
import os

import yaml

from tf_lu.errors import TfLuError

NAMES = ("hidden", "anchor_lambda", "interval", "dropout", "unroll")


def trial_rows(oracle):
    """One dict per trial of ``oracle``: ``trial``, ``status``, ``auc`` (None until scored), ``auc_fold<k>`` and the
    searched values; best first, then unscored trials in the order they started."""
    rows = []
    for trial_id, trial in sorted(oracle.trials.items()):
        row = {"trial": trial_id, "status": str(trial.status), "auc": trial.score,
               **{name: trial.hyperparameters.values.get(name) for name in NAMES}}
        for name in sorted(trial.metrics.metrics):
            if name.startswith("auc_fold"):
                row[name] = trial.metrics.get_last_value(name)
        rows.append(row)
    return sorted(rows, key=lambda r: (r["auc"] is None, -(r["auc"] or 0.0), r["trial"]))


def _number(value, digits):
    return "" if value is None else f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def trials_markdown(rows):
    """The table of ``rows`` (best first)."""
    folds = sorted({k for row in rows for k in row if k.startswith("auc_fold")})
    head = ["trial", "AUC", *[f"fold {k[8:]}" for k in folds], "hidden", "lambda", "M", "dropout", "H", "status"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---:|" * (len(head) - 1) + "---|"]
    for row in rows:
        cells = [row["trial"], _number(row["auc"], 4), *[_number(row.get(k), 4) for k in folds],
                 *[_number(row[n], 2) for n in NAMES], row["status"]]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def plot_trials(rows, path):
    """AUC per trial in the order they ran (and the best so far), and AUC against each searched value."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    scored = sorted((r for r in rows if r["auc"] is not None), key=lambda r: r["trial"])
    figure = Figure(figsize=(12, 6), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(2, 3, 1)
    aucs = [r["auc"] for r in scored]
    axes.plot(range(len(aucs)), aucs, "o", label="trial")
    axes.plot(range(len(aucs)), [max(aucs[:i + 1]) for i in range(len(aucs))], "-", label="best so far")
    axes.set_xlabel("trial (order run)")
    axes.set_ylabel("out-of-fold mean AUC")
    axes.legend(fontsize=8)
    for index, name in enumerate(NAMES):
        axes = figure.add_subplot(2, 3, index + 2)
        axes.plot([r[name] for r in scored], aucs, "o")
        axes.set_xlabel(name)
    figure.tight_layout()
    figure.savefig(path)


def best_config(rows, config_path, out):
    """The tracker config (a dict) of the best scored trial: ``base:`` the searched config, relative to ``out``."""
    best = next((r for r in rows if r["auc"] is not None), None)
    if best is None:
        raise TfLuError("no trial of the search has a score yet")
    base = os.path.relpath(os.path.abspath(config_path), os.path.abspath(out))
    return {"base": base,
            "updater": {"kind": "learned", "learned": {"hidden": int(best["hidden"]),
                                                       "dropout": round(float(best["dropout"]), 4),
                                                       "interval": int(best["interval"]), "weights": None}},
            "meta": {"anchor_lambda": round(float(best["anchor_lambda"]), 4), "unroll": int(best["unroll"]),
                     "hold_out": []}}, best


def write_report(rows, out, config_path, settings):
    """``trials.md``, ``trials.json``, ``trials.png`` and ``best_tracker.yaml`` in ``out``."""
    with open(os.path.join(out, "trials.json"), "w", encoding="utf-8") as handle:
        json.dump({"settings": settings, "trials": rows}, handle, indent=1)
    with open(os.path.join(out, "trials.md"), "w", encoding="utf-8") as handle:
        handle.write(trials_markdown(rows) + "\n")
    plot_trials(rows, os.path.join(out, "trials.png"))
    config, best = best_config(rows, config_path, out)
    header = (f"# Best of {sum(r['auc'] is not None for r in rows)} trials of tf-lu search updater: trial "
              f"{best['trial']}, out-of-fold mean AUC {best['auc']:.4f} on the crop walks of "
              f"{settings['crop_walks']} ({settings['steps']} meta-training steps per fold).\n"
              f"# Meta-train it on every training sequence, then set updater.learned.weights:\n"
              f"#   tf-lu train-updater --config best_tracker.yaml --features {settings['features']} "
              f"--out runs/updater_best\n")
    with open(os.path.join(out, "best_tracker.yaml"), "w", encoding="utf-8") as handle:
        handle.write(header + yaml.safe_dump(config, sort_keys=False))
