"""A benchmark's tables, plots and ``summary.json`` regenerated from its raw OTB result files (no tracking)."""
import os

from tf_lu.data.sequences import read_otb_folders
from tf_lu.evaluation.gather import gather_runs, parse_merges
from tf_lu.evaluation.otb import write_report


def report_results(out, result_dirs, data, trackers=None, machine=None, reference=None, merges=None):
    """Write the report of the runs in ``result_dirs`` (one sub-folder of ``<seq>.txt`` per tracker) into ``out``.

    Several result folders, or ``merges`` (``--merge`` texts: trackers reported as one), are first gathered into
    ``out/gathered_results``.  ``data``: the OTB-layout sequences the results are for (comma-separated folders).
    Returns the ``summary.json`` dict.
    """
    os.makedirs(out, exist_ok=True)
    results = result_dirs[0]
    if len(result_dirs) > 1 or merges:
        results = gather_runs(out, result_dirs, parse_merges(merges))
    return write_report(out, results, read_otb_folders(data), trackers=trackers, machine=machine,
                        reference=reference)
