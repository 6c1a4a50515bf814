"""What a job's thread does: build the trackers, track the source frame by frame, write the outputs, score.

Trackers are built one job at a time (building Keras models is not meant for several threads at once); tracking
runs through :func:`tf_lu.web.lockstep.track_together`.  Stop ends the loop after the current frame, and what was
tracked until then stays downloadable.  A user-caused error ends the job with its message, any other exception with
``internal error: ...`` (and its traceback on the server's stderr): the server keeps serving either way.
"""
import sys
import threading
import traceback

from tf_lu.errors import TfLuError
from tf_lu.web.job_outputs import annotated_writer, scores
from tf_lu.web.lockstep import track_together
from tf_lu.web.response_map import ResponseProbe, has_response_map, heatmap

BUILD_LOCK = threading.Lock()


def readable_frames(sequence, total, notes):
    """The first ``total`` frames; a video whose frame cannot be decoded past the first ends there, with a note
    appended to ``notes`` (a container's frame count is only an estimate)."""
    for index in range(total):
        try:
            frame = sequence.frame(index)
        except TfLuError:
            if index == 0:
                raise
            notes.append(f"frame {index + 1} of {total} could not be decoded; tracking stopped there")
            return
        yield frame


def track(job, trackers, sequence, writer):
    """Track ``sequence`` from ``job.box`` with ``trackers``, recording every frame into ``job`` and ``writer``;
    returns ``(status, notes)``, status ``done`` or ``stopped``."""
    probes = [ResponseProbe(tracker) if has_response_map(tracker) else None for tracker in trackers]
    states, notes = [None] * len(trackers), []      # each Siamese tracker's state before the current frame
    run = track_together(trackers, readable_frames(sequence, job.total, notes), job.box)
    try:
        for index, frame, boxes, seconds in run:
            maps = [heatmap(probe.response(frame, state)) if job.response_on and state is not None else None
                    for probe, state in zip(probes, states)]
            job.record(index, frame, boxes, seconds, maps)
            if writer is not None:
                writer.add(frame, boxes)
            states = [tracker.state if probe is not None else None for tracker, probe in zip(trackers, probes)]
            if job.stop_requested.is_set():
                return "stopped", notes
    finally:
        run.close()
    return "done", notes


def _finish(job, status, notes, writer):
    video = writer.close() if writer is not None and writer.count else None
    if writer is not None and video is None:
        writer.abort()
    boxes = [job.boxes(k) for k in range(len(job.labels))]
    done = len(boxes[0])
    summary = f"tracked {done} frames" if status == "done" else f"stopped after {done} of {job.total} frames"
    job.update(status=status, message="; ".join([summary] + notes), video_path=video,
               total=done if status == "done" else job.total, scores=scores(boxes, job.labels, job.source.ground_truth))


def run_job(job, names, build):
    """The whole job: ``names`` are the registry names of ``job.labels``, ``build(name)`` makes a tracker."""
    writer = None
    try:
        with BUILD_LOCK:
            trackers = [build(name) for name in names]
        job.update(has_response=[has_response_map(tracker) for tracker in trackers], message="opening the video")
        if job.stop_requested.is_set():
            job.update(status="stopped", message="stopped before the first frame")
            return
        sequence = job.source.open()
        writer = annotated_writer(job.folder, job.output, job.source.fps, job.labels)
        status, notes = track(job, trackers, sequence, writer)
        _finish(job, status, notes, writer)
    except Exception as exc:                # the job ends; the server goes on serving
        if writer is not None:
            writer.abort()
        if isinstance(exc, TfLuError):
            job.update(status="failed", message=str(exc))
        else:
            traceback.print_exc(file=sys.stderr)
            job.update(status="failed", message=f"internal error: {type(exc).__name__}: {exc}")
