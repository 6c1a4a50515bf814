"""Ablations of the learned updater: train each variant (a config in ``configs/ablations/``) with the same budget
on the same cached features, then benchmark them all in one run and tabulate.
"""
import json
import os

from tf_lu.config import load_config
from tf_lu.tracking.registry import ABLATION_CONFIG_DIR, config_tracker_names
from tf_lu.models.siamfc import load_siamfc_network
from tf_lu.training.meta import train_updater


def ablation_names():
    return [n for n in config_tracker_names(include_ablations=True)
            if os.path.isfile(os.path.join(ABLATION_CONFIG_DIR, f"{n}.yaml"))]


def train_variant(name, features, steps, verbose=2):
    """Train one ablation variant into the folder its config's ``updater_weights`` names (skipped if done)."""
    config = load_config(os.path.join(ABLATION_CONFIG_DIR, f"{name}.yaml"),
                         {"meta": {"steps": steps, "steps_per_epoch": min(steps, 50)}})
    out = os.path.dirname(resolve_path(config.updater.updater_weights))
    done = os.path.join(out, "train_summary.json")
    if os.path.isfile(done) and os.path.isfile(resolve_path(config.updater.updater_weights)):
        with open(done, encoding="utf-8") as handle:
            return json.load(handle)
    return train_updater(config, load_siamfc_network(config), features, out, verbose=verbose)


def ablation_table(summary, trained):
    """Markdown: variant, what changed, steps, training wall time, final loss, AUC, precision, fps."""
    lines = ["| variant | AUC | precision@20 | fps | meta-train steps | train wall s | final loss |",
             "|---|---|---|---|---|---|---|"]
    for name, entry in summary["trackers"].items():
        info = trained.get(name, {})
        loss = info.get("history", {}).get("loss", [None])[-1]
        lines.append(f"| {name} | {entry['auc']:.3f} | {entry['precision']:.3f} | {entry['fps']:.1f} | "
                     f"{info.get('steps', '-')} | {info.get('wall_seconds_this_run', '-')} | "
                     f"{'-' if loss is None else f'{loss:.4f}'} |")
    return "\n".join(lines)
