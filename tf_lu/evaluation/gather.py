"""Gather the raw result files of several benchmark runs into one results folder, for one report.

An out-of-fold measurement (docs/RESULTS.md, "Out of fold on 54 real sequences: crop walks") benchmarks each fold of sequences in its own run, with that fold's
tracker (``siamfc-learned-fold0`` on fold 0, ``siamfc-learned-fold1`` on fold 1).  :func:`gather_results` copies the
runs' ``<tracker>/<sequence>.txt`` (and ``_time.txt``) files into one folder, renaming the trackers named in
``merges`` (``{"siamfc-learned-out-of-fold": ["siamfc-learned-fold0", "siamfc-learned-fold1"]}``), so that
``write_report`` compares them over every sequence at once.
"""
import os
import shutil

from tf_lu.errors import TfLuError


def parse_merges(text):
    """``"new=a,b;other=c,d"`` -> ``{"new": ["a", "b"], "other": ["c", "d"]}``.  ``text`` may also be a list of such
    strings (``--merge`` given several times); a name merged twice is an error."""
    texts = [text] if isinstance(text, str) or text is None else list(text)
    merges = {}
    for part in (p.strip() for t in texts for p in (t or "").split(";")):
        if not part:
            continue
        name, sep, members = part.partition("=")
        name = name.strip()
        members = [m.strip() for m in members.split(",") if m.strip()]
        if not sep or not name or not members:
            raise TfLuError(f"--merge: expected NEW=TRACKER,TRACKER[;...], got {part!r}")
        if name in merges:
            raise TfLuError(f"--merge: {name} is given twice")
        merges[name] = members
    return merges


def gather_results(result_dirs, out_dir, merges=None):
    """Copy every ``<tracker>/<file>`` of ``result_dirs`` into ``out_dir/<name>/<file>``, where ``name`` is the
    tracker's merged name if ``merges`` lists it.  The same file arriving twice for one name is an error (a sequence
    tracked by two members of a merge, or in two runs).  Returns the sorted tracker names written."""
    rename = {}
    for new, members in (merges or {}).items():
        for member in members:
            if member in rename:
                raise TfLuError(f"--merge: {member} is merged into both {rename[member]} and {new}")
            rename[member] = new
    written = {}
    for results in result_dirs:
        if not os.path.isdir(results):
            raise TfLuError(f"results folder not found: {results}")
        for tracker in sorted(os.listdir(results)):
            source = os.path.join(results, tracker)
            if not os.path.isdir(source):
                continue
            name = rename.get(tracker, tracker)
            target = os.path.join(out_dir, name)
            os.makedirs(target, exist_ok=True)
            for file in sorted(os.listdir(source)):
                key = (name, file)
                if key in written:
                    raise TfLuError(f"{name}/{file} comes from both {written[key]} and {source}")
                written[key] = source
                shutil.copyfile(os.path.join(source, file), os.path.join(target, file))
    return sorted({name for name, _ in written})


def gather_runs(out_dir, result_dirs, merges=None):
    """:func:`gather_results` into ``out_dir/gathered_results`` (this function's own folder, emptied first); returns
    that folder."""
    target = os.path.join(out_dir, "gathered_results")
    for folder in result_dirs:
        folder, inside = os.path.abspath(folder), os.path.abspath(target)
        if os.path.commonpath([folder, inside]) == inside:
            raise TfLuError(f"--results must not be inside {target}, where the runs are gathered")
    shutil.rmtree(target, ignore_errors=True)
    gather_results(result_dirs, target, merges)
    return target
