"""The paper's search of EMA's alpha on training sequences, with its record: ``ema_search.json`` and a plot."""
import json
import os

from tf_lu.apps.tuning import search_ema_alpha
from tf_lu.config import load_config
from tf_lu.data.sequences import read_otb_dataset
from tf_lu.evaluation.otb import truncate_sequence
from tf_lu.evaluation.sweep import SweepPoint, plot_sweep


def search_ema(config_path, data, out, max_frames=None, alphas=None):
    """Search alpha for the tracker config at ``config_path`` on the OTB-layout sequences in ``data``.

    ``alphas``: the grid (default: the paper's, 0.01..0.20).  Resumable (finished keras-tuner trials in ``out`` are
    kept).  Writes ``out/ema_search.json`` (best alpha and the AUC of each) and ``out/ema_search.png``; returns
    ``(best_alpha, {alpha: auc})``.
    """
    sequences = read_otb_dataset(data)
    if max_frames:
        sequences = [truncate_sequence(s, max_frames) for s in sequences]
    best, scores = search_ema_alpha(load_config(config_path), sequences, out, alphas)
    data_name = os.path.basename(os.path.normpath(data))
    with open(os.path.join(out, "ema_search.json"), "w", encoding="utf-8") as handle:
        json.dump({"data": data_name, "best": best, "auc": {f"{a:.2f}": s for a, s in scores.items()}}, handle,
                  indent=2)
    points = [SweepPoint(a, f"ema-{a:.2f}", auc, float("nan")) for a, auc in scores.items()]
    plot_sweep(points, os.path.join(out, "ema_search.png"), "EMA alpha", title=f"EMA alpha on {data_name}")
    return best, scores
