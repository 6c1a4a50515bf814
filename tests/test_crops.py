import numpy as np
import pytest

from tf_lu.geometry.crops import crop_numpy, crop_tf, exemplar_side, scale_factors, search_side


def test_exemplar_side_matches_hand_computation():
    # w=40, h=20: margin 30, sqrt(70 * 50)
    assert exemplar_side(40, 20, 0.5) == pytest.approx(np.sqrt(3500))
    assert search_side(40, 20, 0.5, 127, 255) == pytest.approx(np.sqrt(3500) * 255 / 127)


def test_scale_factors_are_symmetric_powers():
    np.testing.assert_allclose(scale_factors(3, 1.0375), [1 / 1.0375, 1.0, 1.0375])
    np.testing.assert_allclose(scale_factors(5, 1.0255)[2], 1.0)


def test_crop_of_integer_window_is_an_exact_copy():
    image = np.random.default_rng(0).integers(0, 255, (60, 80, 3)).astype(np.uint8)
    # side 21 centred on (40, 30): columns 30..50, rows 20..40
    tf_crop = crop_tf(image, [40.0, 30.0], [21.0], 21)[0].numpy()
    np.testing.assert_allclose(tf_crop, image[20:41, 30:51], atol=1e-3)
    np.testing.assert_array_equal(crop_numpy(image, (40.0, 30.0), 21.0, 21), image[20:41, 30:51])


def test_centre_of_window_lands_on_centre_pixel():
    image = np.zeros((101, 101, 3), np.uint8)
    image[50, 70] = 255
    crop = crop_tf(image, [70.0, 50.0], [31.0, 61.0], 31).numpy()
    for k in range(2):
        assert np.unravel_index(np.argmax(crop[k, :, :, 0]), (31, 31)) == (15, 15)


def test_outside_image_is_mean_padded():
    image = np.full((20, 20, 3), 10, np.uint8)
    image[:, :, 1] = 200
    crop = crop_tf(image, [0.0, 0.0], [41.0], 41)[0].numpy()
    mean = image.reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(crop[0, 0], mean, atol=1e-3)
    np.testing.assert_allclose(crop_numpy(image, (0.0, 0.0), 41.0, 41)[0, 0], np.round(mean), atol=1)


def test_tf_and_numpy_crops_agree_when_upscaling():
    image = np.random.default_rng(1).integers(0, 255, (50, 70, 3)).astype(np.uint8)
    a = crop_tf(image, [33.3, 21.7], [25.0], 49)[0].numpy()
    b = crop_numpy(image, (33.3, 21.7), 25.0, 49).astype(np.float32)
    assert np.abs(a - b).mean() < 1.0


def test_numpy_crop_shrinks_large_windows_without_aliasing():
    # a 1-pixel checkerboard averages to grey when shrunk 4x with area averaging
    board = ((np.indices((256, 256)).sum(axis=0) % 2) * 255).astype(np.uint8)
    image = np.repeat(board[:, :, None], 3, axis=2)
    crop = crop_numpy(image, (127.5, 127.5), 253.0, 64)
    assert abs(crop[16:48, 16:48].mean() - 127.5) < 10
    assert crop[16:48, 16:48].std() < 20
