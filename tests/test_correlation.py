import numpy as np
import pytest

from tf_lu.models.correlation import ResponseAdjust, cross_correlation
from tf_lu.models.labels import centred_label_map as siamfc_labels
from tf_lu.models.losses import balanced_logistic_loss, spatial_softmax_per_sample


def numpy_xcorr(template, search):
    b, h, w, c = search.shape
    th, tw = template.shape[1:3]
    out = np.zeros((b, h - th + 1, w - tw + 1, 1))
    for n in range(b):
        t = template[0] if template.shape[0] == 1 else template[n]
        for i in range(h - th + 1):
            for j in range(w - tw + 1):
                out[n, i, j, 0] = np.sum(search[n, i:i + th, j:j + tw] * t)
    return out


@pytest.mark.parametrize("template_batch", [1, 3])
def test_cross_correlation_matches_numpy(template_batch):
    rng = np.random.default_rng(0)
    template = rng.normal(size=(template_batch, 3, 4, 5)).astype(np.float32)
    search = rng.normal(size=(3, 9, 8, 5)).astype(np.float32)
    out = cross_correlation(template, search).numpy()
    np.testing.assert_allclose(out, numpy_xcorr(template, search), rtol=1e-4, atol=1e-4)


def test_response_adjust_scales_and_shifts():
    layer = ResponseAdjust(1e-3)
    layer.build((1, 2, 2, 1))
    layer.bias.assign(0.5)
    np.testing.assert_allclose(layer(np.full((1, 2, 2, 1), 1000.0, np.float32)).numpy(), 1.5)


def test_labels_have_positive_disc_of_radius_two_cells():
    labels = siamfc_labels(17, 8, 16)
    assert labels[8, 8] == 1 and labels[8, 10] == 1 and labels[8, 11] == 0 and labels[10, 10] == 0
    assert labels.sum() == 13  # cells within distance 2 of the centre


def test_balanced_logistic_loss_hand_computed():
    labels = np.array([[1.0, 0.0, 0.0, 0.0]], np.float32).reshape(1, 2, 2, 1)
    logits = np.zeros((1, 2, 2, 1), np.float32)
    # every cell has loss log(2); weights 0.5 for the positive, 0.5/3 for each negative -> total log(2)
    assert float(balanced_logistic_loss(labels, logits)) == pytest.approx(np.log(2), rel=1e-5)
    logits = np.array([10.0, -10.0, -10.0, -10.0], np.float32).reshape(1, 2, 2, 1)
    assert float(balanced_logistic_loss(labels, logits)) < 1e-3


def test_spatial_softmax_loss_hand_computed():
    labels = np.array([[1, 1, 0, 0], [0, 0, 0, 1]], np.float32).reshape(2, 2, 2, 1)
    logits = np.array([[0, 0, 0, 0], [1, 2, 3, 4]], np.float32).reshape(2, 2, 2, 1)
    # sample 0: uniform softmax 1/4 on two positive cells weighted 1/2 each -> log 4
    # sample 1: -log softmax of the last cell = log(e + e^2 + e^3 + e^4) - 4
    expected = [np.log(4.0), np.log(np.exp([1.0, 2.0, 3.0, 4.0]).sum()) - 4.0]
    np.testing.assert_allclose(spatial_softmax_per_sample(labels, logits).numpy(), expected, rtol=1e-5)
    # blind to an offset of every logit: only the ranking of positions counts
    np.testing.assert_allclose(spatial_softmax_per_sample(labels, logits + 7.0).numpy(), expected, rtol=1e-5)


def test_label_maps_match_a_hand_computed_disc_off_centre_and_batched():
    from tf_lu.models.labels import label_maps
    maps = label_maps(7, [(3, 3), (0.5, 6)], total_stride=8, positive_radius=8).numpy()
    assert maps.shape == (2, 7, 7)
    centre = np.zeros((7, 7), np.float32)
    centre[3, 3] = centre[2, 3] = centre[4, 3] = centre[3, 2] = centre[3, 4] = 1     # radius 1 cell: a plus sign
    np.testing.assert_array_equal(maps[0], centre)
    assert set(zip(*np.nonzero(maps[1]))) == {(0, 6), (1, 6)}                   # 0.5 cells away above and below


def test_blend_window_normalises_and_blends_the_same_in_numpy_and_tensorflow():
    import tensorflow as tf
    import tensorflow.experimental.numpy as tnp
    from tf_lu.models.response import blend_window, hann_window
    response = np.array([[1.0, 2.0], [3.0, 5.0]])
    window = np.full((2, 2), 0.25, np.float32)
    np.testing.assert_allclose(hann_window(3), np.outer([0, 1, 0], [0, 1, 0]))   # hann(3) = 0, 1, 0
    blended = blend_window(response, window, 0.5)
    expected = 0.5 * (response - 1.0) / 7.0 + 0.5 * 0.25
    np.testing.assert_allclose(blended, expected)
    in_graph = blend_window(tf.constant(response[None]), window, 0.5, xp=tnp)
    np.testing.assert_allclose(np.asarray(in_graph)[0], expected)
