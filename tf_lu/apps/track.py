"""Track one object through a user's video file or image folder (the logic behind ``tf-lu track``).

The user gives the first box; the tracker follows it, and the result is ``OUT_DIR/boxes.txt`` (1-based OTB
``x,y,w,h``, one line per frame) plus an annotated video or GIF.  The reported speed is the tracker's own: only the
time spent in ``init`` and ``update`` counts, not decoding, drawing or writing.

All outputs are written under temporary names and renamed at the very end, so a failed run leaves nothing
half-written behind.
"""
import os
import re
import sys
import tempfile

import numpy as np

from tf_lu.data.box_files import format_box_lines as box_lines, write_box_file
from tf_lu.errors import TfLuError
from tf_lu.tracking.loop import track_frames

BOXES_NAME = "boxes.txt"


def parse_box(text):
    """``"x,y,w,h"`` (commas, spaces or tabs) -> 4 floats; anything else is a :class:`TfLuError`."""
    parts = [p for p in re.split(r"[,\s]+", str(text).strip()) if p]
    if len(parts) != 4:
        raise TfLuError(f"--box must be 4 numbers x,y,w,h, got {text!r}")
    try:
        box = np.array([float(p) for p in parts], dtype=np.float64)
    except ValueError:
        raise TfLuError(f"--box must be 4 numbers x,y,w,h, got {text!r}") from None
    if not np.all(np.isfinite(box)):
        raise TfLuError(f"--box must be 4 finite numbers x,y,w,h, got {text!r}")
    return box


def format_box_lines(boxes):
    """0-based rows -> text of 1-based OTB ``x,y,w,h`` lines, 2 decimals without trailing zeros (``NaN`` where the
    tracker gave no box)."""
    return box_lines(boxes, decimals=2, trim=True)


def _output_path(name, out_dir):
    """A bare file name goes into ``out_dir``; a path with a folder part is used as given."""
    if os.path.dirname(name):
        return name
    return os.path.join(out_dir, name)


def _frames(sequence, total):
    """The first ``total`` frames; a video's frame count is only the container's estimate, so a video whose frame
    cannot be decoded past the first ends there with a warning."""
    from tf_lu.data.sequences import VideoFrames
    for index in range(total):
        try:
            frame = sequence.frame(index)
        except TfLuError:
            if index > 0 and isinstance(sequence.frames, VideoFrames):
                print(f"warning: {sequence.name}: could not decode frame {index + 1} of {total}; stopping there",
                      file=sys.stderr)
                return
            raise
        yield frame


def track_sequence(tracker, sequence, max_frames=None, on_frame=None, progress=True, description=None):
    """Run ``tracker`` over ``sequence`` from its first box (through :func:`tf_lu.tracking.loop.track_frames`).

    A progress bar goes to stderr when ``progress`` is set and stderr is a terminal.  ``on_frame(index, frame,
    box)`` is called for every frame (for drawing or writing; its time is not counted).
    Returns ``(boxes, tracker_seconds)``: an ``(N, 4)`` array of 0-based boxes (row 0 is the given first box) and
    the time spent inside ``tracker.init`` / ``tracker.update``.
    """
    from tqdm import tqdm

    total = len(sequence) if max_frames is None else min(len(sequence), int(max_frames))
    boxes = np.full((total, 4), np.nan)
    seconds, done = 0.0, 0
    with tqdm(total=total, desc=description or sequence.name, unit="frame", disable=None if progress else True,
              file=sys.stderr, leave=False) as bar:
        for index, frame, box, spent in track_frames(tracker, _frames(sequence, total), sequence.init_box):
            seconds += spent
            boxes[index] = box
            done = index + 1
            if on_frame is not None:
                on_frame(index, frame, box)
            bar.update(1)
    return boxes[:done], seconds


def output_paths(video, gif, out_dir):
    """The annotated outputs to write: ``video`` (.mp4 / .avi) and ``gif`` (.gif), a bare name inside ``out_dir``."""
    from tf_lu.apps.visualize import output_kind
    outputs = []
    if video:
        if output_kind(video) == ".gif":
            raise TfLuError(f"--video {video}: use .mp4 or .avi (or --gif for a GIF)")
        outputs.append(_output_path(video, out_dir))
    if gif:
        if output_kind(gif) != ".gif":
            raise TfLuError(f"--gif {gif}: the file name must end in .gif")
        outputs.append(_output_path(gif, out_dir))
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise TfLuError(f"--out {out_dir} exists and is not a folder")
    return outputs


def _make_out_dir(out_dir, outputs):
    """Create ``out_dir`` and check the outputs' folders exist; returns whether ``out_dir`` was created."""
    created = not os.path.isdir(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
        for path in outputs:
            if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
                raise TfLuError(f"{path}: output folder does not exist")
    except OSError as exc:
        raise TfLuError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from None
    return created


def _track_and_write(tracker, sequence, label, out_dir, outputs, fps_in, max_frames, progress):
    """Track ``sequence``, drawing into ``outputs``; ``boxes.txt`` and the outputs appear only when all went well."""
    from tf_lu.apps.visualize import AnnotatedWriter, publish
    writers, boxes_temp, finished = [], None, False
    try:
        writers = [AnnotatedWriter(path, fps=fps_in, labels=[label] if label else None) for path in outputs]

        def on_frame(index, frame, box):
            for writer in writers:
                writer.add(frame, [box])

        boxes, seconds = track_sequence(tracker, sequence, max_frames=max_frames, on_frame=on_frame,
                                        progress=progress, description=f"{label or 'tracking'} {sequence.name}")
        handle, boxes_temp = tempfile.mkstemp(prefix=".boxes.", suffix=".partial.txt", dir=out_dir)
        os.close(handle)
        write_box_file(boxes_temp, boxes, decimals=2, trim=True)
        for writer in writers:
            writer.close()
        publish(boxes_temp, os.path.join(out_dir, BOXES_NAME))
        finished = True
    except OSError as exc:
        raise TfLuError(f"cannot write results to {out_dir}: {exc.strerror or exc}") from None
    finally:
        if not finished:
            for writer in writers:
                writer.abort()
            if boxes_temp and os.path.exists(boxes_temp):
                os.remove(boxes_temp)
    return boxes, seconds


def track_video(source, box, tracker_name, out_dir, one_based=False, video=None, gif=None, max_frames=None,
                progress=True, tracker=None):
    """Track the object in ``box`` through ``source`` and write ``out_dir/boxes.txt`` plus the annotated outputs.

    ``video`` / ``gif`` are output names (a bare name goes into ``out_dir``); ``tracker`` may be given already built,
    otherwise it is built from ``tracker_name`` by :func:`tf_lu.tracking.registry.build_tracker`.  Returns a dict with
    ``boxes`` (0-based), ``frames``, ``tracker_seconds``, ``fps``, the written ``paths`` and ``notes`` (lines for the
    user: a first box reaching past the frame is cut to its part inside, and the note says so).
    """
    from tf_lu.data.sequences import VideoFrames, open_user_sequence

    if max_frames is not None and int(max_frames) < 1:
        raise TfLuError(f"--max-frames must be at least 1, got {max_frames}")
    outputs = output_paths(video, gif, out_dir)
    sequence = open_user_sequence(source, box, one_based=one_based)
    if tracker is None:
        from tf_lu.tracking.registry import build_tracker
        tracker = build_tracker(tracker_name)
    fps_in = sequence.frames.fps if isinstance(sequence.frames, VideoFrames) else 25.0
    created_dir = _make_out_dir(out_dir, outputs)
    label = tracker_name or getattr(tracker, "name", None)
    try:
        boxes, seconds = _track_and_write(tracker, sequence, label, out_dir, outputs, fps_in, max_frames, progress)
    except BaseException:
        if created_dir:
            try:
                os.rmdir(out_dir)  # only when empty: nothing of ours is left in it
            except OSError:
                pass
        raise
    frames = len(boxes)
    return {"boxes": boxes, "frames": frames, "tracker_seconds": seconds,
            "fps": frames / seconds if seconds > 0 else float("inf"),
            "paths": [os.path.join(out_dir, BOXES_NAME)] + outputs, "notes": first_box_notes(sequence)}


def first_box_notes(sequence):
    """A line saying the first box was cut to the frame (:func:`tf_lu.data.sequences.open_user_sequence`), if it was."""
    given, used = sequence.given_box, sequence.init_box
    if np.allclose(given, used):
        return []
    height, width = sequence.frame(0).shape[:2]
    number = lambda values: ",".join(f"{v:g}" for v in values)
    return [f"note: the first box {number(given)} reaches past the {width}x{height} frame; tracked from its part "
            f"inside the frame, {number(used)} (0-based x,y,w,h)"]
