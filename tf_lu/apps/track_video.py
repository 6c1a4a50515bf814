"""Track one object through a user's video file or image folder (the logic behind ``tools/track_video.py``).

The user gives the first box; the tracker follows it, and the result is ``OUT_DIR/boxes.txt`` (1-based OTB
``x,y,w,h``, one line per frame) plus an annotated video or GIF.  The reported speed is the tracker's own: only the
time spent in ``init`` and ``update`` counts, not decoding, drawing or writing.

All outputs are written under temporary names and renamed at the very end, so a failed run leaves nothing
half-written behind.
"""
import argparse
import os
import re
import sys
import tempfile
import time

import numpy as np

from tf_lu.geometry.boxes import to_otb
from tf_lu.errors import TfLuError

BOXES_NAME = "boxes.txt"
DEFAULT_VIDEO_NAME = "result.mp4"


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
    """0-based rows -> text of 1-based OTB ``x,y,w,h`` lines (``NaN`` where the tracker gave no box)."""
    lines = []
    for row in to_otb(np.asarray(boxes, dtype=np.float64).reshape(-1, 4)):
        lines.append(",".join(_format_number(v) for v in row))
    return "\n".join(lines) + "\n"


def _format_number(value):
    if not np.isfinite(value):
        return "NaN"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _output_path(name, out_dir):
    """A bare file name goes into ``out_dir``; a path with a folder part is used as given."""
    if os.path.dirname(name):
        return name
    return os.path.join(out_dir, name)


def track_sequence(tracker, sequence, max_frames=None, on_frame=None, progress=True, description=None):
    """Run ``tracker`` over ``sequence`` from its first box.

    A progress bar goes to stderr when ``progress`` is set and stderr is a terminal.  ``on_frame(index, frame,
    box)`` is called for every frame (for drawing or writing; its time is not counted).
    Returns ``(boxes, tracker_seconds)``: an ``(N, 4)`` array of 0-based boxes (row 0 is the given first box) and
    the time spent inside ``tracker.init`` / ``tracker.update``.
    """
    from tqdm import tqdm
    from tf_lu.data.sequences import VideoFrames

    total = len(sequence)
    if max_frames is not None:
        total = min(total, int(max_frames))
    boxes = np.full((total, 4), np.nan)
    seconds = 0.0
    done = 0
    with tqdm(total=total, desc=description or sequence.name, unit="frame", disable=None if progress else True,
              file=sys.stderr, leave=False) as bar:
        for index in range(total):
            try:
                frame = sequence.frame(index)
            except TfLuError:
                # A video's frame count is only the container's estimate: stop at the real end.
                if index > 0 and isinstance(sequence.frames, VideoFrames):
                    print(f"warning: {sequence.name}: could not decode frame {index + 1} of {total}; "
                          f"stopping there", file=sys.stderr)
                    break
                raise
            start = time.perf_counter()
            if index == 0:
                tracker.init(frame, np.array(sequence.init_box, dtype=np.float64))
                box = np.array(sequence.init_box, dtype=np.float64)
            else:
                box = tracker.update(frame)
            seconds += time.perf_counter() - start
            box = np.asarray(box if box is not None else (np.nan,) * 4, dtype=np.float64).reshape(-1)
            if box.shape != (4,):
                box = np.full(4, np.nan)
            boxes[index] = box
            done = index + 1
            if on_frame is not None:
                on_frame(index, frame, box)
            bar.update(1)
    return boxes[:done], seconds


def track_video(source, box, tracker_name, out_dir, one_based=False, video=None, gif=None, max_frames=None,
                progress=True, tracker=None):
    """Track the object in ``box`` through ``source`` and write ``out_dir/boxes.txt`` plus the annotated outputs.

    ``video`` / ``gif`` are output names (a bare name goes into ``out_dir``); ``tracker`` may be given already built,
    otherwise it is built from ``tracker_name`` by :func:`tf_lu.tracking.registry.build_tracker`.  Returns a dict with
    ``boxes`` (0-based), ``frames``, ``tracker_seconds``, ``fps`` and the written ``paths``.
    """
    from tf_lu.data.sequences import VideoFrames, open_user_sequence
    from tf_lu.apps.visualize import AnnotatedWriter, output_kind, publish

    if max_frames is not None and int(max_frames) < 1:
        raise TfLuError(f"--max-frames must be at least 1, got {max_frames}")
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

    sequence = open_user_sequence(source, box, one_based=one_based)
    if tracker is None:
        from tf_lu.tracking.registry import build_tracker
        tracker = build_tracker(tracker_name)
    fps_in = sequence.frames.fps if isinstance(sequence.frames, VideoFrames) else 25.0

    created_dir = not os.path.isdir(out_dir)
    try:
        os.makedirs(out_dir, exist_ok=True)
        for path in outputs:
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise TfLuError(f"{path}: output folder does not exist")
    except OSError as exc:
        raise TfLuError(f"cannot create output folder {out_dir}: {exc.strerror or exc}") from None

    writers = []
    boxes_temp = None
    finished = False
    try:
        label = tracker_name or getattr(tracker, "name", None)
        writers = [AnnotatedWriter(path, fps=fps_in, labels=[label] if label else None) for path in outputs]

        def on_frame(index, frame, box):
            for writer in writers:
                writer.add(frame, [box])

        boxes, seconds = track_sequence(tracker, sequence, max_frames=max_frames, on_frame=on_frame,
                                        progress=progress, description=f"{tracker_name or 'tracking'} {sequence.name}")
        boxes_path = os.path.join(out_dir, BOXES_NAME)
        handle, boxes_temp = tempfile.mkstemp(prefix=".boxes.", suffix=".partial.txt", dir=out_dir)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(format_box_lines(boxes))
        for writer in writers:
            writer.close()
        publish(boxes_temp, boxes_path)
        boxes_temp = None
        finished = True
    except OSError as exc:
        raise TfLuError(f"cannot write results to {out_dir}: {exc.strerror or exc}") from None
    finally:
        if not finished:
            for writer in writers:
                writer.abort()
            if boxes_temp and os.path.exists(boxes_temp):
                os.remove(boxes_temp)
            if created_dir:
                try:
                    os.rmdir(out_dir)  # only when empty: nothing of ours is left in it
                except OSError:
                    pass

    frames = len(boxes)
    return {
        "boxes": boxes,
        "frames": frames,
        "tracker_seconds": seconds,
        "fps": frames / seconds if seconds > 0 else float("inf"),
        "paths": [boxes_path] + outputs,
    }


def build_parser():
    parser = argparse.ArgumentParser(
        prog="track_video.py",
        description="Track one object through a video file or an image folder, starting from a box you give. "
                    "Writes OUT_DIR/boxes.txt (1-based x,y,w,h per frame) and an annotated video or GIF.")
    parser.add_argument("--source", required=True, help="a video file (.mp4, .avi, ...) or a folder of images")
    parser.add_argument("--box", required=True,
                        help="the object's box in the first frame: x,y,w,h in pixels (0-based unless --one-based); "
                             "write --box=-5,10,40,60 when x is negative")
    parser.add_argument("--one-based", action="store_true",
                        help="--box uses 1-based coordinates (as OTB groundtruth_rect.txt files do)")
    parser.add_argument("--tracker", required=True, help="tracker name, e.g. opencv-kcf, opencv-csrt, siamfc-ema")
    parser.add_argument("--out", required=True, metavar="OUT_DIR", help="output folder (created if missing)")
    parser.add_argument("--video", metavar="NAME.mp4|NAME.avi",
                        help=f"annotated video to write (a bare name goes into OUT_DIR; default {DEFAULT_VIDEO_NAME} "
                             f"unless --gif or --no-video is given)")
    parser.add_argument("--gif", metavar="NAME.gif", help="annotated animated GIF to write (a bare name goes into "
                                                          "OUT_DIR)")
    parser.add_argument("--no-video", action="store_true", help="write only boxes.txt")
    parser.add_argument("--max-frames", type=int, metavar="N", help="track at most the first N frames")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None):
    """Command-line entry point; returns the exit status (2 for a user error)."""
    args = build_parser().parse_args(argv)
    try:
        box = parse_box(args.box)
        video = args.video
        if video is None and not args.gif and not args.no_video:
            video = DEFAULT_VIDEO_NAME
        if args.no_video:
            video, gif = None, None
        else:
            gif = args.gif
        result = track_video(args.source, box, args.tracker, args.out, one_based=args.one_based, video=video,
                             gif=gif, max_frames=args.max_frames, progress=not args.quiet)
    except TfLuError as exc:
        message = " ".join(str(exc).split())
        print(f"error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print(f"tracked {result['frames']} frames with {args.tracker}: {result['fps']:.1f} fps "
          f"(tracker time only, {result['tracker_seconds']:.2f} s)")
    for path in result["paths"]:
        print(f"wrote {path}")
    return 0
