"""The VOT benchmark: every tracker over every sequence in VOT's baseline and realtime experiments.

``OUT`` receives ``results/<tracker>/{baseline,realtime}/<seq>/<seq>_001.txt`` (and ``_time.txt``), ``summary.md``,
``expected_overlap.png``, ``ar_plot.png`` and ``summary.json`` (``"protocol": "vot"``), written into a temporary
folder first and moved into place at the end, ``summary.json`` last.
"""
import os
import shutil
import time

from tqdm import tqdm

from tf_lu.data.vot_sequences import VotSequence, sequence_regions
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import DEFAULT_PRESET, eao_range
from tf_lu.evaluation.otb import build_trackers, staging_folder, truncate_sequence, warm_up
from tf_lu.evaluation.vot_protocol import REALTIME_FPS, run_realtime, run_supervised
from tf_lu.evaluation.vot_results import EXPERIMENTS, write_run, write_vot_report
from tf_lu.tracking import registry

REPORT_FILES = ("summary.md", "expected_overlap.png", "ar_plot.png", "summary.json")


def truncate_vot_sequence(sequence, max_frames):
    """The first ``max_frames`` frames of ``sequence`` (for quick smoke runs), scoring regions kept."""
    short = truncate_sequence(sequence, max_frames)
    if short is sequence:
        return sequence
    return VotSequence(name=short.name, frames=short.frames, boxes=short.boxes, loader=short.loader,
                       absent=short.absent, regions=sequence_regions(sequence)[:len(short)])


def _move_tree(source, target):
    """Move every file under ``source`` to the same place under ``target`` (folders created, files replaced)."""
    for folder, _, files in os.walk(source):
        destination = os.path.join(target, os.path.relpath(folder, source))
        os.makedirs(destination, exist_ok=True)
        for filename in files:
            os.replace(os.path.join(folder, filename), os.path.join(destination, filename))


def run_vot_benchmark(tracker_names, sequences, out_dir, preset=DEFAULT_PRESET, build=registry.build_tracker,
                      progress=True, realtime_fps=REALTIME_FPS, clock=time.perf_counter):
    """Run VOT's baseline and realtime experiments for every tracker on every sequence and write results, summary
    and plots into ``out_dir``; returns the ``summary.json`` dict.

    ``preset`` names the EAO length range (``vot2016`` [108, 371], ``vot2017`` / ``vot2018`` [100, 356]) or gives it
    as ``(low, high)``.  Trackers are built once (names as in :func:`~tf_lu.evaluation.otb.build_trackers`), warmed
    up on the first sequence, and run sequence by sequence, every tracker in turn, so a change of load on a shared
    machine touches them alike; ``clock`` times the tracker calls."""
    if not sequences:
        raise TfLuError("no sequences given")
    eao_range(preset)
    if not realtime_fps > 0:
        raise TfLuError(f"the realtime frame rate must be positive, got {realtime_fps}")
    trackers = build_trackers(tracker_names, build)
    staging = staging_folder(out_dir)
    try:
        for tracker in trackers.values():
            warm_up(tracker, sequences[0])
        results = os.path.join(staging, "results")
        experiments = {"baseline": run_supervised,
                       "realtime": lambda *args, **kwargs: run_realtime(*args, fps=realtime_fps, **kwargs)}
        total = len(EXPERIMENTS) * len(trackers) * sum(len(s) for s in sequences)
        with tqdm(total=total, disable=not progress, unit="frame", dynamic_ncols=True) as bar:
            for sequence in sequences:
                for name, tracker in trackers.items():
                    for experiment in EXPERIMENTS:
                        bar.set_description(f"{sequence.name} {name} {experiment}")
                        run = experiments[experiment](tracker, sequence, clock=clock, bar=bar)
                        write_run(results, name, experiment, sequence.name, run)
        summary = write_vot_report(staging, results, sequences, list(trackers), preset, realtime_fps=realtime_fps)
        _move_tree(results, os.path.join(out_dir, "results"))
        for filename in REPORT_FILES:
            os.replace(os.path.join(staging, filename), os.path.join(out_dir, filename))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summary
