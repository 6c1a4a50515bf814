"""Tracking jobs: one per press of Track, each in its own background thread, each with its own results.

A :class:`Job` holds what its thread has tracked so far (boxes, per-tracker time, the last few frames, response
maps) behind a lock; a page polls it with :meth:`Job.snapshot`.  Two pages (two browser tabs) get two jobs with
unguessable ids and never see each other's results.  :class:`JobStore` starts jobs, finds them by id, limits how many
track at once and forgets the oldest finished ones (removing their files).
"""
import collections
import os
import shutil
import threading
import uuid

import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.web.inputs import NotFound
from tf_lu.web.job_outputs import css_color, json_number
from tf_lu.web.encode import jpeg_bytes, png_bytes

RECENT_FRAMES = 12
RUNNING = ("starting", "tracking")


def _json_box(box):
    return None if not np.all(np.isfinite(box)) else [json_number(v, 3) for v in box]


class Job:
    """One tracking job: a source, the trackers' labels, the first box and the annotated output asked for; its files
    go into a folder of its own under ``root``."""

    def __init__(self, source, labels, box, output, root):
        self.id = uuid.uuid4().hex
        self.source, self.labels, self.box, self.output = source, list(labels), box, output
        self.folder = os.path.join(root, self.id)           # the job's files: its annotated video
        self.status, self.message, self.total = "starting", "building the trackers", source.frames
        self.rows, self.seconds = [], [0.0] * len(labels)   # rows: one list of per-tracker boxes per frame
        self.frames = collections.OrderedDict()            # index -> RGB frame, the last RECENT_FRAMES
        self.responses = {}                                 # tracker index -> (frame index, RGB map)
        self.has_response = [False] * len(labels)
        self.response_on = False
        self.video_path, self.scores = None, None
        self.stop_requested = threading.Event()
        self.lock = threading.Lock()
        self.thread = None

    # --- written by the job's thread ------------------------------------------------------------------------------
    def record(self, index, frame, boxes, seconds, maps):
        with self.lock:
            self.rows.append([np.asarray(box, dtype=np.float64) for box in boxes])
            self.seconds = [total + spent for total, spent in zip(self.seconds, seconds)]
            self.frames[index] = frame
            while len(self.frames) > RECENT_FRAMES:
                self.frames.popitem(last=False)
            for tracker, picture in enumerate(maps):
                if picture is not None:
                    self.responses[tracker] = (index, picture)
            self.status, self.message = "tracking", ""

    def update(self, **fields):
        with self.lock:
            for key, value in fields.items():
                setattr(self, key, value)

    # --- read by the pages ----------------------------------------------------------------------------------------
    @property
    def running(self):
        return self.status in RUNNING

    def boxes(self, tracker):
        """The 0-based ``(N, 4)`` boxes of tracker ``tracker`` so far."""
        with self.lock:
            return np.array([row[tracker] for row in self.rows], dtype=np.float64).reshape(-1, 4)

    def snapshot(self, since=0):
        """The job's state as JSON-ready values, with the boxes of frames ``since`` and later."""
        with self.lock:
            done, since = len(self.rows), max(0, min(int(since), len(self.rows)))
            trackers = [{"name": label, "color": css_color(k), "response": self.has_response[k],
                         "fps": json_number(done / self.seconds[k], 1) if self.seconds[k] > 0 else None}
                        for k, label in enumerate(self.labels)]
            return {"id": self.id, "status": self.status, "message": self.message, "done": done,
                    "total": max(self.total, done), "since": since, "trackers": trackers,
                    "boxes": [[_json_box(box) for box in row] for row in self.rows[since:]],
                    "latest": next(reversed(self.frames), None),
                    "responses": [self.responses.get(k, (None,))[0] for k in range(len(self.labels))],
                    "video": self.video_path is not None, "scores": self.scores}

    def frame_jpeg(self, index):
        with self.lock:
            frame = self.frames.get(int(index))
        if frame is None:
            raise NotFound(f"frame {index} is no longer kept; ask for a later one")
        return jpeg_bytes(frame)

    def response_png(self, tracker):
        with self.lock:
            found = self.responses.get(int(tracker))
        if found is None:
            raise NotFound(f"no response map for tracker {tracker} yet")
        return png_bytes(found[1])


class JobStore:
    """Jobs by id; each runs ``run(job)`` in a daemon thread, with its files under ``folder/<job id>``."""

    def __init__(self, folder, run, max_running=4, max_kept=32):
        self.folder, self.run, self.max_running, self.max_kept = folder, run, max_running, max_kept
        self._jobs = collections.OrderedDict()
        self._lock = threading.Lock()
        os.makedirs(folder, exist_ok=True)

    def start(self, source, labels, box, output):
        with self._lock:
            running = sum(job.running for job in self._jobs.values())
            if running >= self.max_running:
                raise TfLuError(f"{running} jobs are tracking already (at most {self.max_running}); "
                                "wait for one to end or stop it")
            job = Job(source, labels, box, output, self.folder)
            os.makedirs(job.folder)
            self._jobs[job.id] = job
            self._forget_finished()
        job.thread = threading.Thread(target=self.run, args=(job,), name=f"tf-lu-job-{job.id[:8]}", daemon=True)
        job.thread.start()
        return job

    def _forget_finished(self):
        finished = [job for job in self._jobs.values() if not job.running]
        for job in finished[:max(0, len(self._jobs) - self.max_kept)]:
            del self._jobs[job.id]
            shutil.rmtree(job.folder, ignore_errors=True)

    def get(self, job_id):
        with self._lock:
            job = self._jobs.get(str(job_id))
        if job is None:
            raise NotFound("no such tracking job (the server may have been restarted)")
        return job

    def stop_all(self, wait_seconds=10.0):
        """Ask every job to stop and wait (up to ``wait_seconds`` each) for its thread to end."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.stop_requested.set()
        for job in jobs:
            job.thread.join(wait_seconds)
