"""The one benchmark runner: every tracker over every sequence in each experiment of a protocol
(:mod:`tf_lu.evaluation.protocols`: OTB one-pass, VOT baseline and realtime), result files, then the summary.

``OUT`` receives ``results/`` (the protocol's result files), its summary files (``summary.json`` last) and
``fingerprints.json``, the record of what the results were made from (:mod:`tf_lu.fingerprints`).  Each run's files are
written atomically as soon as it ends.

**Resuming.**  A rerun into the same ``OUT`` runs only what is missing: the (tracker, sequence, experiment) runs whose
files ``OUT`` does not hold whole.  It does so only when every sequence (frames, images, ground truth), tracker
(resolved config, weights) and option it shares with ``OUT``'s record is unchanged; otherwise it stops before any work
with a one-line error naming what changed, so no figure of other inputs is ever reported.  The summary is always
recomputed from the result files of the trackers and sequences asked for.
"""
import os

from tqdm import tqdm

from tf_lu.errors import TfLuError
from tf_lu.evaluation.protocols import OtbProtocol
from tf_lu.fingerprints import RunRecord, sequence_fingerprint
from tf_lu.tracking import registry


def warm_up(tracker, sequence, frames=3):
    """Run a few untimed frames first, so one-off costs (graph tracing, lazy loading) stay out of the fps."""
    tracker.init(sequence.frame(0), sequence.boxes[0])
    for index in range(1, min(frames, len(sequence))):
        tracker.update(sequence.frame(index))


def build_trackers(tracker_names, build=registry.build_tracker):
    """``{label: tracker}`` for the given names, in order, duplicates dropped: every tracker is built before anything
    runs (an unknown name fails first); a tracker given as a config path is filed under
    :func:`~tf_lu.tracking.registry.tracker_label`, and two trackers filed under one label are an error."""
    names = list(dict.fromkeys(n.strip() for n in tracker_names if n.strip()))
    if not names:
        raise TfLuError("no tracker names given")
    labels = {registry.tracker_label(name): name for name in names}
    if len(labels) < len(names):
        raise TfLuError("two trackers would be filed under the same name: " + ", ".join(names))
    return {label: build(name) for label, name in labels.items()}


def tracker_fingerprint(tracker):
    """What a tracker's results depend on: its own ``fingerprint`` (config and weights, or an OpenCV tracker's kind
    and version), else its class."""
    return getattr(tracker, "fingerprint", None) or {"class": type(tracker).__name__}


def open_run_folder(out_dir, protocol, sequences, trackers):
    """Check ``out_dir``'s record against these sequences, trackers and options (a one-line error naming what
    changed), then save the record with them added; returns the results folder."""
    results = os.path.join(out_dir, "results")
    has_results = os.path.isdir(results) and any(os.scandir(results))
    record = RunRecord(out_dir, results_exist=has_results)
    record.check("option", protocol.options())
    record.check("sequence", {s.name: sequence_fingerprint(s) for s in sequences})
    record.check("tracker", {label: tracker_fingerprint(t) for label, t in trackers.items()})
    record.save()
    return results


def _run_all(protocol, trackers, todo, results, bar):
    """Run the ``(sequence, label, experiment)`` runs in order and write each one's files as it ends."""
    for sequence, label, experiment in todo:
        bar.set_description(f"{sequence.name} {label}" + ("" if len(protocol.experiments) == 1 else f" {experiment}"))
        run = protocol.run(experiment, trackers[label], sequence, bar)
        protocol.write_run(results, label, experiment, sequence, run)


def _run_together(protocol, trackers, todo, results, bar):
    """The runs of each (sequence, experiment) in turns of a few frames; each tracker's files written at its end."""
    groups = {}
    for sequence, label, experiment in todo:
        groups.setdefault((sequence.name, experiment), (sequence, experiment, []))[2].append(label)
    for sequence, experiment, labels in groups.values():
        bar.set_description(f"{sequence.name} x{len(labels)} trackers")
        runs = protocol.run_together(experiment, {label: trackers[label] for label in labels}, sequence, bar)
        for label in labels:
            protocol.write_run(results, label, experiment, sequence, runs[label])


def _run_streamed(protocol, trackers, todo, results, bar, streams):
    """Each tracker's runs ``streams`` sequences per graph call (:mod:`tf_lu.evaluation.batched`)."""
    from tf_lu.evaluation.batched import track_streams
    for label in dict.fromkeys(label for _, label, _ in todo):
        sequences = [s for s, name, _ in todo if name == label]
        bar.set_description(f"{label} x{streams}")
        runs = track_streams(trackers[label], sequences, streams, bar)
        for sequence in sequences:
            protocol.write_run(results, label, protocol.experiments[0], sequence, runs[sequence.name])


def run_benchmark(tracker_names, sequences, out_dir, protocol=None, build=registry.build_tracker, progress=True,
                  streams=None):
    """Run every tracker over every sequence in each experiment of ``protocol`` (default: OTB one-pass) and write
    results and summary into ``out_dir``; returns the ``summary.json`` dict.

    All trackers are built first (an unknown name fails before anything runs) and each is built once, so model
    loading stays out of the timings; runs go sequence by sequence, every tracker in turn (OTB: in turns of 16 frames,
    each frame decoded once; VOT: run by run), so that a change of load on a shared machine touches every tracker alike.
    ``streams``: track that many sequences per graph call (OTB, TensorFlow trackers; fps is then the aggregate).
    Resuming: see the module doc."""
    protocol = protocol or OtbProtocol()
    if not sequences:
        raise TfLuError("no sequences given")
    if streams is not None and not protocol.streams:
        raise TfLuError(f"--batch-streams works with --protocol otb only, not {protocol.name}")
    if streams is not None and streams < 1:
        raise TfLuError(f"--batch-streams must be at least 1, got {streams}")
    trackers = build_trackers(tracker_names, build)
    for label, tracker in trackers.items():
        if streams is not None and getattr(tracker, "graph", None) is None:
            raise TfLuError(f"{label}: --batch-streams needs a TensorFlow tracker (siamfc-*), not an OpenCV one")
    results = open_run_folder(out_dir, protocol, sequences, trackers)
    todo = [(sequence, label, experiment) for sequence in sequences for label in trackers
            for experiment in protocol.experiments if not protocol.finished(results, label, experiment, sequence)]
    for label in dict.fromkeys(label for _, label, _ in todo):
        warm_up(trackers[label], sequences[0])
    with tqdm(total=sum(len(s) for s, _, _ in todo), disable=not progress, unit="frame", dynamic_ncols=True) as bar:
        if streams:
            _run_streamed(protocol, trackers, todo, results, bar, streams)
        elif hasattr(protocol, "run_together"):      # OTB: the runs of a sequence in turns of a few frames
            _run_together(protocol, trackers, todo, results, bar)
        else:
            _run_all(protocol, trackers, todo, results, bar)
    return protocol.write_report(out_dir, results, sequences, list(trackers))
