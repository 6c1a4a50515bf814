"""Paired comparison of two trackers over the same sequences: is a difference in mean AUC more than noise?

A benchmark of a handful of sequences ranks trackers by mean AUC, but one hard sequence can decide that ranking.
``paired_comparison`` reports, per tracker against a reference, the mean per-sequence AUC difference, how many
sequences it wins, loses or ties, and a percentile bootstrap interval of the mean difference (sequences resampled
with replacement, both trackers keeping their pairing). An interval that contains 0 means the benchmark cannot
tell the two apart.
"""
import numpy as np

from tf_lu.errors import TfLuError

TIE = 1e-3  # AUC differences below this count as ties (result files carry 2 decimals of box precision)


def bootstrap_interval(differences, samples=10000, level=0.95, seed=0):
    """Percentile bootstrap interval of ``mean(differences)``, resampling the entries with replacement."""
    differences = np.asarray(differences, dtype=np.float64)
    if differences.ndim != 1 or differences.size == 0:
        raise TfLuError("bootstrap_interval needs a non-empty 1-D list of differences")
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, differences.size, size=(samples, differences.size))
    means = differences[picks].mean(axis=1)
    tail = (1.0 - level) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return float(low), float(high)


def paired_difference(scores, reference_scores, samples=10000, level=0.95, seed=0):
    """Compare per-sequence scores (dicts ``{sequence: auc}``) over the sequences both have.

    Returns ``{mean_difference, low, high, wins, losses, ties, sequences}``."""
    common = sorted(set(scores) & set(reference_scores))
    if not common:
        raise TfLuError("the two trackers share no sequence")
    differences = np.array([scores[s] - reference_scores[s] for s in common])
    low, high = bootstrap_interval(differences, samples, level, seed)
    return {"mean_difference": float(differences.mean()), "low": low, "high": high,
            "wins": int(np.sum(differences >= TIE)), "losses": int(np.sum(differences <= -TIE)),
            "ties": int(np.sum(np.abs(differences) < TIE)), "sequences": len(common)}


def paired_comparison(trackers, reference, samples=10000, level=0.95, seed=0):
    """``trackers`` is the ``trackers`` part of ``summary.json``; compare every other tracker with ``reference``
    on AUC. Returns ``{tracker: paired_difference(...)}``."""
    if reference not in trackers:
        raise TfLuError(f"reference tracker {reference!r} is not in the summary ({', '.join(trackers)})")
    aucs = {name: {seq: entry["auc"] for seq, entry in data["sequences"].items()} for name, data in trackers.items()}
    return {name: paired_difference(aucs[name], aucs[reference], samples, level, seed)
            for name in trackers if name != reference}


def comparison_table(comparison, reference, level=0.95):
    """Markdown table of ``paired_comparison``'s result."""
    lines = [f"| tracker | mean AUC - {reference} | {level:.0%} bootstrap interval | wins / losses / ties |",
             "|---|---:|---:|---:|"]
    for name, c in comparison.items():
        lines.append(f"| {name} | {c['mean_difference']:+.3f} | [{c['low']:+.3f}, {c['high']:+.3f}] | "
                     f"{c['wins']} / {c['losses']} / {c['ties']} |")
    return "\n".join(lines)
