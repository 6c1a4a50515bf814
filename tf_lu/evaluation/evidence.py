"""The evidence for a choice between trackers over several data sets, apart and pooled.

A choice made on one small set can be one hard sequence's doing; one made on several sets pooled, with each set
shown apart, says whether the sets agree.  :func:`evidence` takes the OTB summaries of one run per set (every
tracker on the same sequences of that set) and gives, per tracker, the mean AUC of each set and of all sequences
pooled, with the paired comparison against a reference tracker (:func:`tf_lu.evaluation.compare.paired_difference`:
mean per-sequence difference, bootstrap interval over the sequences, wins / losses / ties).
"""
from tf_lu.errors import TfLuError
from tf_lu.evaluation.compare import paired_difference

POOLED = "pooled"


def sequence_aucs(summary, tracker):
    """``{sequence: auc}`` of ``tracker`` in an OTB summary dict."""
    return {name: entry["auc"] for name, entry in summary["trackers"][tracker]["sequences"].items()}


def _common_trackers(summaries, trackers):
    present = [set(s["trackers"]) for s in summaries.values()]
    shared = set.intersection(*present)
    names = trackers or [t for t in next(iter(summaries.values()))["trackers"] if t in shared]
    missing = [t for t in names if t not in shared]
    if missing:
        raise TfLuError(f"trackers not in every set's results: {', '.join(missing)}")
    return names


def evidence(summaries, reference=None, trackers=None):
    """``{tracker: {set or "pooled": {"auc", "sequences", "vs_reference"}}}`` for ``summaries`` ``{set: summary}``.

    ``vs_reference`` is the paired comparison against ``reference`` (default: the first tracker), ``None`` for the
    reference itself.  Pooled scores key each sequence by its set, so equal names in two sets stay apart."""
    if not summaries:
        raise TfLuError("no data sets to report")
    names = _common_trackers(summaries, trackers)
    reference = reference or names[0]
    if reference not in names:
        raise TfLuError(f"reference tracker {reference!r} is not among {', '.join(names)}")
    table = {}
    for tracker in names:
        rows, pooled, pooled_reference = {}, {}, {}
        for set_name, summary in summaries.items():
            scores, ref = sequence_aucs(summary, tracker), sequence_aucs(summary, reference)
            rows[set_name] = _row(scores, ref, tracker == reference)
            pooled.update({f"{set_name}/{k}": v for k, v in scores.items()})
            pooled_reference.update({f"{set_name}/{k}": v for k, v in ref.items()})
        rows[POOLED] = _row(pooled, pooled_reference, tracker == reference)
        table[tracker] = rows
    return {"reference": reference, "sets": list(summaries), "trackers": table}


def _row(scores, reference_scores, is_reference):
    return {"auc": sum(scores.values()) / len(scores), "sequences": len(scores),
            "vs_reference": None if is_reference else paired_difference(scores, reference_scores)}


def _cell(row):
    comparison = row["vs_reference"]
    if comparison is None:
        return f"{row['auc']:.3f}"
    c = comparison
    return (f"{row['auc']:.3f} ({c['mean_difference']:+.3f} [{c['low']:+.3f}, {c['high']:+.3f}], "
            f"{c['wins']}/{c['losses']}/{c['ties']})")


def evidence_markdown(result):
    """A markdown table: a row per tracker, a column per set and one pooled."""
    columns = result["sets"] + [POOLED]
    counts = {c: next(iter(result["trackers"].values()))[c]["sequences"] for c in columns}
    lines = [f"Mean AUC per set and pooled; in brackets against {result['reference']}: mean per-sequence "
             "difference [95% bootstrap interval], wins / losses / ties.", "",
             "| tracker | " + " | ".join(f"{c} ({counts[c]} seq.)" for c in columns) + " |",
             "|---|" + "---:|" * len(columns)]
    for tracker, rows in result["trackers"].items():
        lines.append(f"| {tracker} | " + " | ".join(_cell(rows[c]) for c in columns) + " |")
    return "\n".join(lines) + "\n"
