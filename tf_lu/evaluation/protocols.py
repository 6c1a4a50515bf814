"""Benchmark protocols by name (:data:`PROTOCOLS`), each what the one benchmark runner
(:func:`tf_lu.evaluation.benchmark.run_benchmark`) needs to know of it:

* ``experiments``: the runs of one tracker on one sequence (OTB: one pass; VOT: ``baseline`` and ``realtime``);
* ``read_sequences(data, names, max_frames)``: the sequences of ``--data``;
* ``run(experiment, tracker, sequence, bar)``, ``write_run(...)``, ``finished(...)``: one run, its result files, and
  whether a folder holds them whole; optionally ``run_together(experiment, trackers, sequence, bar)``: the runs of
  several trackers on one sequence, in turns of a few frames (OTB; a VOT run's re-initialisations differ per tracker);
* ``options()``: the settings its runs depend on (recorded with them, :mod:`tf_lu.fingerprints`);
* ``write_report(out_dir, results_dir, sequences, trackers)`` and ``markdown_table(summary)``: the summary, recomputed
  from the result files.

A new protocol is a class here with those members, registered in :data:`PROTOCOLS`.
"""
import os

from tf_lu.data.sequences import read_otb_folders, truncate_sequence
from tf_lu.data.vot_sequences import read_vot_dataset
from tf_lu.errors import TfLuError
from tf_lu.evaluation import otb, vot_results
from tf_lu.evaluation.eao import DEFAULT_PRESET, eao_range
from tf_lu.evaluation.vot_protocol import REALTIME_FPS, SKIP_AFTER_FAILURE, run_realtime, run_supervised


class OtbProtocol:
    """OTB one-pass evaluation: success AUC, precision@20, fps (:mod:`tf_lu.evaluation.otb`)."""

    name = "otb"
    experiments = ("one-pass",)
    streams = True                       # runs may track many sequences per graph call (--batch-streams)

    def options(self):
        return {"protocol": self.name}

    def read_sequences(self, data, names=None, max_frames=None):
        """The OTB-layout sequences of ``data`` (several folders: comma-separated)."""
        return [truncate_sequence(s, max_frames) for s in read_otb_folders(data, names or None)]

    def run(self, experiment, tracker, sequence, bar=None):
        return otb.run_sequence(tracker, sequence, bar)

    def run_together(self, experiment, trackers, sequence, bar=None):
        """Every tracker of ``trackers`` (``{label: tracker}``) on ``sequence``, taking turns of a few frames:
        ``{label: run}``."""
        return otb.run_sequence_together(trackers, sequence, bar)

    def write_run(self, results_dir, tracker, experiment, sequence, run):
        boxes, times = run
        os.makedirs(os.path.join(results_dir, tracker), exist_ok=True)
        otb.write_times_file(os.path.join(results_dir, tracker, f"{sequence.name}_time.txt"), times)
        otb.write_results_file(os.path.join(results_dir, tracker, f"{sequence.name}.txt"), boxes)

    def finished(self, results_dir, tracker, experiment, sequence):
        return otb.finished_run(results_dir, tracker, sequence)

    def write_report(self, out_dir, results_dir, sequences, trackers):
        return otb.write_report(out_dir, results_dir, sequences, trackers)

    def markdown_table(self, summary):
        return otb.markdown_table(summary)


class VotProtocol:
    """VOT's supervised experiments, baseline and realtime: EAO, accuracy, robustness (:mod:`.vot_results`).
    ``preset`` names the EAO range (``vot2016`` [108, 371], ``vot2017`` / ``vot2018`` [100, 356]) or gives it as
    ``(low, high)``; it only changes the report."""

    name = "vot"
    experiments = vot_results.EXPERIMENTS
    streams = False

    def __init__(self, preset=DEFAULT_PRESET, realtime_fps=REALTIME_FPS):
        eao_range(preset)
        if not realtime_fps > 0:
            raise TfLuError(f"the realtime frame rate must be positive, got {realtime_fps}")
        self.preset, self.realtime_fps = preset, float(realtime_fps)

    def options(self):
        return {"protocol": self.name, "realtime_fps": self.realtime_fps, "skip": SKIP_AFTER_FAILURE}

    def read_sequences(self, data, names=None, max_frames=None):
        """The sequences of one VOT dataset root (or one folder of OTB-layout sequences)."""
        roots = [data] if os.path.isdir(data) else [root for root in str(data).split(",") if root.strip()]
        if len(roots) != 1:
            raise TfLuError("--protocol vot reads one --data folder (a VOT dataset root or a folder of OTB sequences)")
        return [truncate_sequence(s, max_frames) for s in read_vot_dataset(roots[0].strip(), names or None)]

    def run(self, experiment, tracker, sequence, bar=None):
        if experiment == "baseline":
            return run_supervised(tracker, sequence, bar=bar)
        return run_realtime(tracker, sequence, fps=self.realtime_fps, bar=bar)

    def write_run(self, results_dir, tracker, experiment, sequence, run):
        vot_results.write_run(results_dir, tracker, experiment, sequence.name, run)

    def finished(self, results_dir, tracker, experiment, sequence):
        return vot_results.finished_run(results_dir, tracker, experiment, sequence)

    def write_report(self, out_dir, results_dir, sequences, trackers):
        return vot_results.write_vot_report(out_dir, results_dir, sequences, trackers, self.preset,
                                            realtime_fps=self.realtime_fps)

    def markdown_table(self, summary):
        return vot_results.markdown_table(summary)


PROTOCOLS = {"otb": OtbProtocol, "vot": VotProtocol}


def make_protocol(name, **settings):
    """The protocol called ``name`` (see :data:`PROTOCOLS`) with its ``settings``."""
    if name not in PROTOCOLS:
        raise TfLuError(f"unknown protocol {name!r}; known: {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name](**settings)
