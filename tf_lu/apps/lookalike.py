"""Identity switches on the look-alike set: how often each tracker leaves its target for a close copy of it.

Generates :func:`~tf_lu.data.synthetic.lookalike_sequences` in memory, runs the trackers over them with the OTB
benchmark (:func:`~tf_lu.evaluation.benchmark.run_benchmark`: ``OUT/results/<tracker>/<seq>.txt``, ``summary.json``, ...),
then counts identity switches (:mod:`tf_lu.evaluation.identity_switches`) against the target's true box (also where
an occluder hides it) and the look-alikes' boxes, and writes ``OUT/identity_switches.json`` and
``OUT/identity_switches.md``.  The sequence names carry the seed, and rerunning into the same folder skips the runs
already written there (as the benchmark does).
"""
import dataclasses
import os

from tf_lu.tracking.names import DEFAULT_TRACKERS
from tf_lu.atomic_files import write_json_atomic, write_text_atomic
from tf_lu.data.synthetic import LOOKALIKE_SEED, lookalike_config, lookalike_sequences
from tf_lu.evaluation.identity_switches import RULE, count_identity_switches, total
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.evaluation.otb import load_results_file



def tracker_switches(results_dir, tracker, sequences, scores):
    """One tracker's entry of ``identity_switches.json`` from its result files and its ``summary.json`` entry
    ``scores``: mean AUC, totals, and the numbers of every sequence."""
    per_sequence, counts = {}, {}
    for sequence in sequences:
        boxes = load_results_file(os.path.join(results_dir, tracker, f"{sequence.name}.txt"))
        counts[sequence.name] = count_identity_switches(sequence.true_boxes, sequence.distractor_boxes, boxes)
        per_sequence[sequence.name] = {"auc": scores["sequences"][sequence.name]["auc"],
                                       "distractors": int(len(sequence.distractor_boxes)),
                                       **counts[sequence.name].as_dict()}
    return {"auc": float(scores["auc"]), **total(counts), "sequences": per_sequence}


def switches_table(report):
    """The markdown table: tracker, mean AUC, switches in total, frames on a distractor (and their share)."""
    lines = ["| tracker | mean AUC | identity switches | sequences with a switch | frames on a distractor |",
             "|---|---:|---:|---:|---:|"]
    count = len(report["sequences"])
    for name, entry in report["trackers"].items():
        lines.append(f"| {name} | {entry['auc']:.3f} | {entry['switches']} | {entry['sequences_with_switch']}/{count} "
                     f"| {entry['frames_on_distractor']} ({100 * entry['fraction_on_distractor']:.1f}%) |")
    return "\n".join(lines)


def switches_markdown(report):
    """The whole ``identity_switches.md``: what was run, the rule, the table."""
    return "\n".join([
        "# Identity switches on look-alike sequences", "",
        f"{len(report['sequences'])} generated sequences of {report['frames']} frames (seed {report['seed']}), "
        f"{report['distractors']} look-alike distractors in all.", "",
        f"Rule: {report['rule']}.", "",
        switches_table(report), ""])


def run_lookalike(out_dir, trackers=DEFAULT_TRACKERS, count=8, frames=90, seed=LOOKALIKE_SEED, progress=True):
    """Generate the look-alike set, benchmark ``trackers`` on it into ``out_dir`` and count their identity switches;
    writes ``identity_switches.json`` and ``identity_switches.md`` there and returns the report dict."""
    config = lookalike_config(frames)
    sequences = lookalike_sequences(count, frames, seed, config)
    summary = run_benchmark(list(trackers), sequences, out_dir, progress=progress)
    results_dir = os.path.join(out_dir, "results")
    report = {"seed": int(seed), "frames": int(frames), "sequences": [s.name for s in sequences],
              "distractors": int(sum(len(s.distractor_boxes) for s in sequences)), "rule": RULE,
              "config": dataclasses.asdict(config),
              "trackers": {name: tracker_switches(results_dir, name, sequences, scores)
                           for name, scores in summary["trackers"].items()}}
    write_text_atomic(os.path.join(out_dir, "identity_switches.md"), switches_markdown(report))
    write_json_atomic(os.path.join(out_dir, "identity_switches.json"), report)
    return report
