"""What a finished job offers: one box file per tracker, the annotated video, and scores where there is ground truth.

Box files have the format of ``tf-lu track``'s ``boxes.txt`` (1-based OTB ``x,y,w,h``, one line per frame), so the
page's download equals what ``tf-lu track`` writes for the same tracker, video and first box.  The annotated MP4 or
GIF is drawn by :class:`tf_lu.apps.visualize.AnnotatedWriter` with its colours, the ones the page's legend uses.
"""
import math
import os
import re

import numpy as np

from tf_lu.apps.track import format_box_lines
from tf_lu.apps.visualize import COLORS, AnnotatedWriter
from tf_lu.evaluation.metrics import SUCCESS_THRESHOLDS, sequence_metrics, success_curve


def box_file_text(boxes):
    """0-based ``(N, 4)`` boxes as the text of ``tf-lu track``'s ``boxes.txt``."""
    return format_box_lines(np.asarray(boxes, dtype=np.float64).reshape(-1, 4))


def safe_file_part(text):
    """``text`` with every character but letters, digits, ``.``, ``_`` and ``-`` made ``_`` (for download names)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(text)).strip("._") or "video"


def box_file_name(sequence_name, tracker):
    return f"{safe_file_part(os.path.splitext(sequence_name)[0])}_{safe_file_part(tracker)}.txt"


def video_file_name(sequence_name, output):
    return f"{safe_file_part(os.path.splitext(sequence_name)[0])}_tracked.{output}"


def css_color(index):
    """The page colour of tracker ``index``: the annotated video's colour for it."""
    red, green, blue = COLORS[index % len(COLORS)]
    return f"rgb({red}, {green}, {blue})"


def annotated_writer(folder, output, fps, labels):
    """An :class:`~tf_lu.apps.visualize.AnnotatedWriter` into ``folder/annotated.<output>``, or ``None`` for
    ``output == "none"``."""
    if output == "none":
        return None
    return AnnotatedWriter(os.path.join(folder, f"annotated.{output}"), fps=fps, labels=list(labels))


def json_number(value, digits=4):
    """A float rounded for JSON, ``None`` where it is not finite (JSON has no NaN)."""
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def scores(boxes_per_tracker, labels, ground_truth):
    """AUC, precision at 20 px and the success curve of each tracker over the frames it tracked, against
    ``ground_truth`` (0-based rows); ``None`` without ground truth."""
    if ground_truth is None or not boxes_per_tracker or len(boxes_per_tracker[0]) == 0:
        return None
    frames = len(boxes_per_tracker[0])
    truth = np.asarray(ground_truth, dtype=np.float64)[:frames]
    trackers = []
    for label, boxes in zip(labels, boxes_per_tracker):
        metrics = sequence_metrics(boxes, truth)
        trackers.append({"name": label, "auc": json_number(metrics["auc"]),
                         "precision": json_number(metrics["precision"]),
                         "success": [json_number(v) for v in success_curve(boxes, truth)]})
    return {"frames": frames, "thresholds": [json_number(t) for t in SUCCESS_THRESHOLDS], "trackers": trackers}
