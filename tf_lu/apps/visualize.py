"""Drawing tracker boxes on frames and writing annotated videos or animated GIFs.

Frames are RGB ``uint8`` arrays and boxes are 0-based ``(x, y, w, h)`` (see :mod:`tf_lu.geometry.boxes`); colours are RGB
tuples.  The output format follows the file extension:

* ``.mp4``: OpenCV ``VideoWriter`` with the ``mp4v`` codec;
* ``.avi``: OpenCV ``VideoWriter`` with the ``MJPG`` codec;
* ``.gif``: an animated GIF written by Pillow, frames downscaled to at most :data:`GIF_MAX_WIDTH` pixels wide.

Videos are streamed frame by frame (only the GIF keeps its small, downscaled frames in memory).  Every writer works
on a temporary file next to the output and renames it when closed successfully, so an interrupted run never leaves a
half-written file under the final name.
"""
import os
import tempfile

import numpy as np

from tf_lu.errors import TfLuError

VIDEO_CODECS = {".mp4": "mp4v", ".avi": "MJPG"}
OUTPUT_EXTENSIONS = tuple(VIDEO_CODECS) + (".gif",)
GIF_MAX_WIDTH = 480

#: Default box colours (RGB), one per tracker.
COLORS = (
    (255, 40, 40),    # red
    (40, 220, 40),    # green
    (60, 120, 255),   # blue
    (255, 200, 0),    # yellow
    (255, 0, 255),    # magenta
    (0, 230, 230),    # cyan
    (255, 140, 0),    # orange
    (255, 255, 255),  # white
)


def output_kind(path):
    """The lower-case extension of an annotated output path; anything but .mp4/.avi/.gif is a :class:`TfLuError`."""
    ext = os.path.splitext(str(path))[1].lower()
    if ext not in OUTPUT_EXTENSIONS:
        raise TfLuError(f"{path}: unknown output format {ext or '(no extension)'!r}; "
                        f"use one of {', '.join(OUTPUT_EXTENSIONS)}")
    return ext


def line_thickness(image_shape):
    """Box line thickness in pixels, scaled with the image size (1 px up to ~300 px, 2 px at 640x480, ...)."""
    height, width = image_shape[:2]
    return max(1, int(round(min(height, width) / 240.0)))


def draw_box(image, box, color=COLORS[0], label=None, thickness=None):
    """Return a copy of the RGB ``image`` with ``box`` (0-based ``x, y, w, h``) drawn in the RGB ``color``.

    The line thickness grows with the image size unless ``thickness`` is given; ``label`` is written above the box
    (below it, or inside it, when there is no room).  A non-finite or empty box (absent target, lost tracker) draws nothing.
    """
    import cv2

    out = np.ascontiguousarray(np.array(image, dtype=np.uint8, copy=True))
    box = np.asarray(box, dtype=np.float64).reshape(-1)
    if box.shape != (4,) or not np.all(np.isfinite(box)) or box[2] <= 0 or box[3] <= 0:
        return out
    height, width = out.shape[:2]
    thickness = int(thickness or line_thickness(out.shape))
    color = tuple(int(c) for c in color)
    # Clip far-away coordinates so OpenCV never sees values beyond int range; the visible part is unchanged.
    limit_x, limit_y = 2 * width + 10, 2 * height + 10
    x0 = int(round(np.clip(box[0], -limit_x, limit_x)))
    y0 = int(round(np.clip(box[1], -limit_y, limit_y)))
    x1 = int(round(np.clip(box[0] + box[2] - 1, -limit_x, limit_x)))
    y1 = int(round(np.clip(box[1] + box[3] - 1, -limit_y, limit_y)))
    cv2.rectangle(out, (x0, y0), (x1, y1), color, thickness, lineType=cv2.LINE_8)
    if label:
        font = cv2.FONT_HERSHEY_SIMPLEX
        scale = max(0.35, 0.4 * thickness)
        text_thickness = max(1, thickness // 2)
        (text_w, text_h), baseline = cv2.getTextSize(str(label), font, scale, text_thickness)
        tx = int(np.clip(x0, 0, max(0, width - text_w)))
        ty = y0 - thickness - 2                              # baseline just above the box
        if ty - text_h < 0:                                  # no room above: just below the box
            ty = y1 + thickness + text_h + 2
            if ty + baseline > height:                       # nor below: just inside its top edge
                ty = y0 + thickness + text_h + 2
        ty = int(np.clip(ty, text_h, max(text_h, height - baseline)))
        cv2.putText(out, str(label), (tx, ty), font, scale, color, text_thickness, lineType=cv2.LINE_AA)
    return out


def draw_boxes(image, boxes, colors=None, labels=None):
    """Draw several boxes (one per tracker) on a copy of ``image``."""
    colors = colors or COLORS
    out = np.array(image, dtype=np.uint8, copy=True)
    for k, box in enumerate(boxes):
        label = labels[k] if labels is not None and k < len(labels) else None
        out = draw_box(out, box, colors[k % len(colors)], label=label)
    return out


def _umask_mode():
    """The permission bits a plainly created file would get (``mkstemp`` files are 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def publish(temp, path):
    """Give ``temp`` ordinary file permissions and rename it to ``path`` (atomic on one file system)."""
    try:
        os.chmod(temp, _umask_mode())
    except OSError:
        pass
    os.replace(temp, path)


def _temp_path(path):
    """A fresh temporary file next to ``path`` with the same extension (OpenCV picks the container from it)."""
    folder = os.path.dirname(os.path.abspath(path))
    base, ext = os.path.splitext(os.path.basename(path))
    handle, temp = tempfile.mkstemp(prefix=f".{base}.", suffix=f".partial{ext}", dir=folder)
    os.close(handle)
    return temp


class AnnotatedWriter:
    """Streaming writer of annotated frames; use as a context manager or call :meth:`close` / :meth:`abort`.

    ``add(frame, boxes)`` draws ``boxes`` (a list with one 0-based box per tracker, or one box) on ``frame`` and
    appends it.  The file appears under ``path`` only when :meth:`close` succeeds; on an exception inside the
    ``with`` block, or on :meth:`abort`, the partial file is removed.
    """

    def __init__(self, path, fps=25.0, colors=None, labels=None):
        self.path = str(path)
        self.kind = output_kind(self.path)
        self.fps = float(fps) if fps and np.isfinite(fps) and fps > 0 else 25.0
        self.colors = colors or COLORS
        self.labels = labels
        self.count = 0
        self._size = None          # (width, height) of the output frames
        self._writer = None        # cv2.VideoWriter for .mp4 / .avi
        self._gif_frames = []      # downscaled PIL images for .gif
        folder = os.path.dirname(os.path.abspath(self.path))
        if not os.path.isdir(folder):
            raise TfLuError(f"{self.path}: output folder does not exist")
        try:
            self._temp = _temp_path(self.path)
        except OSError as exc:
            raise TfLuError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
        return False

    def _open_video(self, width, height):
        import cv2
        writer = cv2.VideoWriter(self._temp, cv2.VideoWriter_fourcc(*VIDEO_CODECS[self.kind]), self.fps,
                                 (width, height))
        if not writer.isOpened():
            raise TfLuError(f"cannot write video {self.path} (OpenCV could not open a {self.kind} writer)")
        return writer

    def add(self, frame, boxes=()):
        """Draw ``boxes`` on ``frame`` and append it to the output."""
        import cv2

        if self._closed:
            raise RuntimeError("AnnotatedWriter is closed")
        boxes = np.asarray(boxes, dtype=np.float64)
        if boxes.size:
            boxes = boxes.reshape(-1, 4)
        image = draw_boxes(frame, boxes if boxes.size else [], self.colors, self.labels)
        height, width = image.shape[:2]
        if self._size is None:
            self._size = (width, height)
            if self.kind == ".gif":
                if width > GIF_MAX_WIDTH:
                    self._size = (GIF_MAX_WIDTH, max(1, int(round(height * GIF_MAX_WIDTH / width))))
            else:
                self._writer = self._open_video(width, height)
        if (image.shape[1], image.shape[0]) != self._size:
            # Frames of a different size (an image folder) are scaled to the first frame's size.
            image = cv2.resize(image, self._size, interpolation=cv2.INTER_AREA)
        if self.kind == ".gif":
            from PIL import Image
            self._gif_frames.append(Image.fromarray(image))
        else:
            self._writer.write(np.ascontiguousarray(image[:, :, ::-1]))
        self.count += 1

    def close(self):
        """Finish the file and move it to its final name.  Writing no frame at all is a :class:`TfLuError`."""
        if self._closed:
            return self.path
        try:
            if self.count == 0:
                raise TfLuError(f"{self.path}: no frames to write")
            if self.kind == ".gif":
                duration = max(20, int(round(1000.0 / self.fps)))
                first, rest = self._gif_frames[0], self._gif_frames[1:]
                first.save(self._temp, format="GIF", save_all=True, append_images=rest, duration=duration,
                           loop=0, optimize=False)
                self._gif_frames = []
            else:
                self._writer.release()
                self._writer = None
            publish(self._temp, self.path)
        except OSError as exc:
            self.abort()
            raise TfLuError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        except BaseException:
            self.abort()
            raise
        self._closed = True
        return self.path

    def abort(self):
        """Drop the partial output."""
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        self._gif_frames = []
        if os.path.exists(self._temp):
            try:
                os.remove(self._temp)
            except OSError:
                pass
        self._closed = True


def write_annotated(frames_iter, boxes_list, out_path, fps=25, colors=None, labels=None):
    """Write the frames of ``frames_iter`` with boxes drawn on them to ``out_path`` (.mp4, .avi or .gif).

    ``boxes_list`` holds one ``(N, 4)`` array of 0-based boxes per tracker (a single ``(N, 4)`` array is one tracker);
    frame ``i`` gets row ``i`` of every array that has one.  ``colors`` (RGB tuples) and ``labels`` (strings) go
    with the trackers in the same order.  Frames are streamed: only the current frame is in memory for a video.
    Returns the number of frames written.
    """
    boxes_arrays = _as_box_arrays(boxes_list)
    with AnnotatedWriter(out_path, fps=fps, colors=colors, labels=labels) as writer:
        for index, frame in enumerate(frames_iter):
            writer.add(frame, [b[index] if index < len(b) else (np.nan,) * 4 for b in boxes_arrays])
    return writer.count


def _as_box_arrays(boxes_list):
    if boxes_list is None:
        return []
    if isinstance(boxes_list, np.ndarray) and boxes_list.ndim == 2:
        return [boxes_list.reshape(-1, 4).astype(np.float64)]
    return [np.asarray(b, dtype=np.float64).reshape(-1, 4) for b in boxes_list]
