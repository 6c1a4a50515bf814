"""OTB metrics against hand-computed values."""
import numpy as np
import pytest

from tf_lu.errors import TfLuError
from tf_lu.evaluation.metrics import (PRECISION_THRESHOLDS, SUCCESS_THRESHOLDS, precision_curve, sequence_metrics,
                                      success_curve)

GT = [10.0, 10.0, 10.0, 10.0]
NAN = [np.nan] * 4


def test_thresholds():
    assert len(SUCCESS_THRESHOLDS) == 21 and SUCCESS_THRESHOLDS[0] == 0 and SUCCESS_THRESHOLDS[-1] == 1
    assert SUCCESS_THRESHOLDS[10] == 0.5
    assert len(PRECISION_THRESHOLDS) == 51 and PRECISION_THRESHOLDS[20] == 20


def test_perfect_box_scores_20_of_21():
    # IoU = 1 beats every threshold but t = 1 (strict >), so the OTB AUC of a perfect tracker is 20/21
    curve = success_curve([GT], [GT])
    assert curve.tolist() == [1.0] * 20 + [0.0]
    assert sequence_metrics([GT], [GT]) == pytest.approx({"auc": 20 / 21, "precision": 1.0})


def test_shift_by_half_width():
    # a 10x10 box shifted by 5 px: IoU = 50 / 150 = 1/3 > t for t = 0, .05, ..., .30 (7 thresholds)
    pred = [[15.0, 10.0, 10.0, 10.0]]
    assert success_curve(pred, [GT]).tolist() == [1.0] * 7 + [0.0] * 14
    precision = precision_curve(pred, [GT])  # centre error 5 px
    assert precision.tolist() == [0.0] * 5 + [1.0] * 46
    assert sequence_metrics(pred, [GT]) == pytest.approx({"auc": 7 / 21, "precision": 1.0})


def test_ties_at_thresholds():
    # IoU exactly 0.5 does not pass t = 0.5 (strict >): 10 thresholds (0 .. 0.45)
    assert np.mean(success_curve([[10.0, 10.0, 10.0, 20.0]], [GT])) == pytest.approx(10 / 21)
    # a centre error of exactly 20 px (12-16-20 triangle) passes precision@20 (<=); 21 px does not
    assert sequence_metrics([[22.0, 26.0, 10.0, 10.0]], [GT])["precision"] == 1.0
    assert sequence_metrics([[31.0, 10.0, 10.0, 10.0]], [GT])["precision"] == 0.0


def test_centre_uses_w_minus_one():
    # centres: 10 + 9/2 = 14.5 and 10 + 19/2 = 19.5 -> error sqrt(50) = 7.07: fails at 7 px, passes at 8 px
    curve = precision_curve([[10.0, 10.0, 20.0, 20.0]], [GT])
    assert curve[7] == 0.0 and curve[8] == 1.0


def test_mixed_frames_by_hand():
    gt = [GT] * 4
    pred = [GT,                       # IoU 1: 20/21, error 0
            [15.0, 10.0, 10.0, 10.0],  # IoU 1/3: 7/21, error 5
            [40.0, 10.0, 10.0, 10.0],  # disjoint: 0, error 30
            NAN]                       # lost: 0, infinite error
    curve = success_curve(pred, gt)
    assert curve[0] == 0.5 and curve[7] == 0.25 and curve[20] == 0.0
    assert sequence_metrics(pred, gt) == pytest.approx({"auc": (20 + 7) / 21 / 4, "precision": 0.5})
    precision = precision_curve(pred, gt)
    assert precision[0] == 0.25 and precision[30] == 0.75 and precision[50] == 0.75


def test_absent_and_degenerate_ground_truth_excluded():
    pred = [GT, [15.0, 10.0, 10.0, 10.0]]
    gt = [GT, GT]
    expected = sequence_metrics(pred, gt)
    pred_more = pred + [[0.0, 0.0, 5.0, 5.0], NAN, GT]
    gt_more = gt + [NAN, [10.0, 10.0, 0.0, 10.0], [10.0, 10.0, 10.0, -1.0]]
    assert sequence_metrics(pred_more, gt_more) == pytest.approx(expected)
    np.testing.assert_allclose(success_curve(pred_more, gt_more), success_curve(pred, gt))


def test_nan_prediction_is_a_failure():
    assert sequence_metrics([NAN], [GT]) == {"auc": 0.0, "precision": 0.0}
    assert sequence_metrics([GT, NAN], [GT, GT]) == pytest.approx({"auc": 10 / 21, "precision": 0.5})


def test_length_mismatch_is_a_user_error():
    with pytest.raises(TfLuError, match="2 predicted boxes but 1 ground-truth"):
        sequence_metrics([GT, GT], [GT])
