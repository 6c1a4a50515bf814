"""OTB one-pass metrics (success / precision), as the OTB toolkit computes them.

* success curve: fraction of frames with IoU **>** t for the 21 thresholds t = 0, 0.05, ..., 1; AUC = their mean;
* precision curve: fraction of frames with centre error **<=** t for t = 0, 1, ..., 50 px; precision = the value at 20.

Frames whose ground truth is absent (NaN) or degenerate (w <= 0 or h <= 0) are left out; the first (init) frame counts.
A NaN prediction is a failure (IoU 0, infinite centre error).
"""
import numpy as np

from tf_lu.geometry.boxes import center_error, iou
from tf_lu.errors import TfLuError

SUCCESS_THRESHOLDS = np.arange(21) / 20.0
PRECISION_THRESHOLDS = np.arange(51, dtype=np.float64)
PRECISION_AT = 20


def _valid_rows(pred, gt):
    """Predicted and ground-truth rows of the frames that count (ground truth present and of positive size)."""
    pred = np.asarray(pred, dtype=np.float64).reshape(-1, 4)
    gt = np.asarray(gt, dtype=np.float64).reshape(-1, 4)
    if len(pred) != len(gt):
        raise TfLuError(f"{len(pred)} predicted boxes but {len(gt)} ground-truth boxes")
    valid = np.all(np.isfinite(gt), axis=1) & (gt[:, 2] > 0) & (gt[:, 3] > 0)
    return pred[valid], gt[valid]


def overlaps(pred, gt):
    """IoU of each counted frame; NaN predictions give 0."""
    pred, gt = _valid_rows(pred, gt)
    return np.nan_to_num(iou(pred, gt), nan=0.0)


def center_errors(pred, gt):
    """Centre distance of each counted frame in pixels; NaN predictions give infinity."""
    pred, gt = _valid_rows(pred, gt)
    errors = center_error(pred, gt)
    return np.where(np.isnan(errors), np.inf, errors)


def success_curve(pred, gt):
    """Success rate at each of :data:`SUCCESS_THRESHOLDS` (NaN values when no frame counts)."""
    values = overlaps(pred, gt)
    if values.size == 0:
        return np.full(len(SUCCESS_THRESHOLDS), np.nan)
    return (values[None, :] > SUCCESS_THRESHOLDS[:, None]).mean(axis=1)


def precision_curve(pred, gt):
    """Precision at each of :data:`PRECISION_THRESHOLDS` (NaN values when no frame counts)."""
    errors = center_errors(pred, gt)
    if errors.size == 0:
        return np.full(len(PRECISION_THRESHOLDS), np.nan)
    return (errors[None, :] <= PRECISION_THRESHOLDS[:, None]).mean(axis=1)


def sequence_metrics(pred, gt):
    """``{"auc": mean success rate, "precision": precision at 20 px}`` for one sequence."""
    return {"auc": float(np.mean(success_curve(pred, gt))),
            "precision": float(precision_curve(pred, gt)[PRECISION_AT])}
