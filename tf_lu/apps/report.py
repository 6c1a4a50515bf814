"""A benchmark's tables, plots and ``summary.json`` regenerated from its raw OTB result files (no tracking)."""
import json
import os

from tf_lu.atomic_files import write_text_atomic
from tf_lu.data.sequences import read_otb_folders
from tf_lu.evaluation.evidence import evidence, evidence_markdown
from tf_lu.evaluation.gather import gather_runs, parse_merges
from tf_lu.evaluation.otb import write_report
from tf_lu.evaluation.sweep import write_sweep


def report_results(out, result_dirs, data, trackers=None, machine=None, reference=None, merges=None, sweep=None,
                   sweep_label="value", sweep_log=False):
    """Write the report of the runs in ``result_dirs`` (one sub-folder of ``<seq>.txt`` per tracker) into ``out``.

    Several result folders, or ``merges`` (``--merge`` texts: trackers reported as one), are first gathered into
    ``out/gathered_results``.  ``data``: the OTB-layout sequences the results are for (comma-separated folders).
    With ``sweep`` (a name prefix) the trackers ``<sweep><number>`` are also tabulated and plotted against the number
    (:func:`tf_lu.evaluation.sweep.write_sweep`).  Returns ``(summary.json dict, sweep table or None)``.
    """
    sequences = read_otb_folders(data)
    os.makedirs(out, exist_ok=True)
    results = result_dirs[0]
    if len(result_dirs) > 1 or merges:
        results = gather_runs(out, result_dirs, parse_merges(merges))
    summary = write_report(out, results, sequences, trackers=trackers, machine=machine, reference=reference)
    table = write_sweep(out, summary, sweep, reference, sweep_label, sweep_log) if sweep else None
    return summary, table


def report_sets(out, sets, trackers=None, machine=None, reference=None):
    """Each set of ``sets`` (``{name: (results folder, data folders)}``) reported into ``out/<name>``, then the
    evidence over all of them, apart and pooled, into ``out/evidence.md`` and ``evidence.json``; returns the
    markdown."""
    os.makedirs(out, exist_ok=True)
    sequences = {name: read_otb_folders(data) for name, (_, data) in sets.items()}     # every folder checked first
    summaries = {}
    for name, (results, _) in sets.items():
        os.makedirs(os.path.join(out, name), exist_ok=True)
        summaries[name] = write_report(os.path.join(out, name), results, sequences[name], trackers=trackers,
                                       machine=machine, reference=reference)
    result = evidence(summaries, reference, trackers)
    text = evidence_markdown(result)
    write_text_atomic(os.path.join(out, "evidence.md"), text)
    write_text_atomic(os.path.join(out, "evidence.json"), json.dumps(result, indent=2) + "\n")
    return text
