"""Ablations of the learned updater: train each variant (a config in ``configs/ablations/``) with the same budget on
the same cached features, then benchmark them all in one run and tabulate.

Variant ``siamfc-learned-<short>`` is trained into ``<out>/<short>/`` and benchmarked with the override
``{"updater": {"learned": {"weights": <out>/<short>/updater.weights.h5}}}``: the configs name no weights of their own.
"""
import json
import os

from tf_lu.config import load_config
from tf_lu.data.sequences import read_otb_dataset
from tf_lu.errors import TfLuError
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.models.networks import load_network
from tf_lu.tracking.registry import ABLATION_CONFIG_DIR, build_tracker, config_tracker_names
from tf_lu.training.meta import train_updater

VARIANT_PREFIX = "siamfc-learned-"
WEIGHTS_NAME = "updater.weights.h5"


def ablation_names():
    return [n for n in config_tracker_names(include_ablations=True)
            if os.path.isfile(os.path.join(ABLATION_CONFIG_DIR, f"{n}.yaml"))]


def variant_dir(out, name):
    """The folder variant ``name`` is trained into: ``<out>/<name without 'siamfc-learned-'>``."""
    return os.path.join(out, name[len(VARIANT_PREFIX):] if name.startswith(VARIANT_PREFIX) else name)


def variant_overrides(out, name):
    """The config override that points variant ``name`` at its trained weights."""
    return {"updater": {"learned": {"weights": os.path.join(variant_dir(out, name), WEIGHTS_NAME)}}}


def train_variant(name, features, steps, out, verbose=2):
    """Train one ablation variant into :func:`variant_dir` (skipped when its weights and summary are there)."""
    folder = variant_dir(out, name)
    done = os.path.join(folder, "train_summary.json")
    if os.path.isfile(done) and os.path.isfile(os.path.join(folder, WEIGHTS_NAME)):
        with open(done, encoding="utf-8") as handle:
            return json.load(handle)
    config = load_config(os.path.join(ABLATION_CONFIG_DIR, f"{name}.yaml"),
                         {"meta": {"steps": steps, "steps_per_epoch": min(steps, 50)}})
    return train_updater(config, load_network(config), features, folder, verbose=verbose)


def benchmark_variants(names, extra, data, out):
    """Benchmark the trained variants ``names`` beside the trackers ``extra`` on the sequences in ``data``."""
    overrides = {name: variant_overrides(out, name) for name in names}
    return run_benchmark(list(extra) + list(names), read_otb_dataset(data), out,
                         build=lambda name: build_tracker(name, overrides.get(name)))


def run_ablations(features, data, out, steps=300, variants=None, extra=(), train_only=False):
    """Train ``variants`` (default: all) and, unless ``train_only``, benchmark them with ``extra`` and write
    ``<out>/ablations.md``; returns the table (``None`` with ``train_only``)."""
    names = list(variants) if variants else ablation_names()
    unknown = set(names) - set(ablation_names())
    if unknown:
        raise TfLuError(f"unknown ablation variant(s): {', '.join(sorted(unknown))}")
    trained = {name: train_variant(name, features, steps, out) for name in names}
    if train_only:
        return None
    table = ablation_table(benchmark_variants(names, extra, data, out), trained)
    with open(os.path.join(out, "ablations.md"), "w", encoding="utf-8") as handle:
        handle.write(table + "\n")
    return table


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
