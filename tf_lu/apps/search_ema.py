"""The paper's search of EMA's alpha on training sequences, with its record: ``ema_search.json`` and a plot.

The search folder also records what its trials were scored on (:mod:`tf_lu.fingerprints`): the sequences (after
``--max-frames``), the tracker config and weights (its EMA alpha aside, which the trials set) and the grid.  A rerun
continues the search only when all of them are unchanged; otherwise it stops with an error naming what changed.
"""
import json
import os

from tf_lu.apps.tuning import alpha_grid, search_ema_alpha
from tf_lu.config import load_config, to_dict
from tf_lu.data.sequences import read_otb_dataset, truncate_sequence
from tf_lu.evaluation.sweep import SweepPoint, plot_sweep
from tf_lu.fingerprints import config_fingerprint, keep_record, sequence_fingerprint
from tf_lu.tracking.registry import weight_files


def search_fingerprints(config, sequences, alphas):
    """What the search's trials depend on (see the module doc)."""
    settings = to_dict(config)
    settings["updater"] = {k: v for k, v in settings["updater"].items() if k not in ("kind", "ema")}
    return {"sequences": {s.name: sequence_fingerprint(s) for s in sequences},
            "tracker": config_fingerprint(settings, weight_files(config)), "alphas": list(alphas)}


def search_ema(config_path, data, out, max_frames=None, alphas=None):
    """Search alpha for the tracker config at ``config_path`` on the OTB-layout sequences in ``data``.

    ``alphas``: the grid (default: the paper's, 0.01..0.20).  Resumable (finished keras-tuner trials in ``out`` are
    kept).  Writes ``out/ema_search.json`` (best alpha and the AUC of each) and ``out/ema_search.png``; returns
    ``(best_alpha, {alpha: auc})``.
    """
    sequences = [truncate_sequence(s, max_frames) for s in read_otb_dataset(data)]
    config, alphas = load_config(config_path), alphas or alpha_grid()
    keep_record(out, os.path.isdir(os.path.join(out, "ema_alpha")), search_fingerprints(config, sequences, alphas))
    best, scores = search_ema_alpha(config, sequences, out, alphas)
    data_name = os.path.basename(os.path.normpath(data))
    with open(os.path.join(out, "ema_search.json"), "w", encoding="utf-8") as handle:
        json.dump({"data": data_name, "best": best, "auc": {f"{a:.2f}": s for a, s in scores.items()}}, handle,
                  indent=2)
    points = [SweepPoint(a, f"ema-{a:.2f}", auc, float("nan")) for a, auc in scores.items()]
    plot_sweep(points, os.path.join(out, "ema_search.png"), "EMA alpha", title=f"EMA alpha on {data_name}")
    return best, scores
