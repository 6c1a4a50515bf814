import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import EmaConfig, UpdaterConfig
from tf_lu.errors import TfLuError
from tf_lu.updaters.base import EMAUpdater, FrameEvidence, NoUpdate
from tf_lu.updaters.registry import build_updater


def evidence(candidate, calls=None):
    def make():
        if calls is not None:
            calls.append(1)
        return tf.constant(candidate)
    return FrameEvidence(candidate=make, search_features=lambda: None)


def test_no_update_keeps_first_template_and_computes_nothing():
    updater = NoUpdate()
    theta1 = tf.ones((1, 2, 2, 3))
    state = updater.init(theta1)
    calls = []
    for _ in range(3):
        state, theta = updater.update(state, evidence(np.zeros((1, 2, 2, 3), np.float32), calls))
    np.testing.assert_array_equal(theta.numpy(), theta1.numpy())
    assert calls == []


def test_ema_follows_the_recurrence():
    updater = EMAUpdater(EmaConfig(alpha=0.25))
    state = updater.init(tf.zeros((1, 1, 1, 1)))
    expected = 0.0
    for value in (4.0, 8.0, -2.0):
        state, theta = updater.update(state, evidence(np.full((1, 1, 1, 1), value, np.float32)))
        expected = 0.75 * expected + 0.25 * value
        assert float(theta[0, 0, 0, 0]) == pytest.approx(expected)


def test_build_updater_rejects_an_unknown_kind_and_gives_each_kind_its_section():
    with pytest.raises(TfLuError, match="unknown updater"):
        build_updater(UpdaterConfig(kind="magic"))
    assert build_updater(UpdaterConfig(kind="ema", ema=EmaConfig(alpha=0.3))).alpha == 0.3


def test_the_tracking_loop_inits_on_frame_0_then_updates_and_turns_bad_answers_into_nan():
    from tf_lu.tracking.loop import track_frames

    class Scripted:
        def __init__(self):
            self.calls = []

        def init(self, image, box):
            self.calls.append(("init", int(image[0, 0, 0]), list(box)))

        def update(self, image):
            self.calls.append(("update", int(image[0, 0, 0])))
            return None if image[0, 0, 0] == 2 else (1, 2, 3, 4)

    tracker = Scripted()
    frames = [np.full((4, 4, 3), value, np.uint8) for value in range(3)]
    out = list(track_frames(tracker, iter(frames), [5, 6, 7, 8]))
    assert tracker.calls == [("init", 0, [5.0, 6.0, 7.0, 8.0]), ("update", 1), ("update", 2)]
    assert [index for index, *_ in out] == [0, 1, 2]
    np.testing.assert_array_equal(out[0][2], [5, 6, 7, 8])
    np.testing.assert_array_equal(out[1][2], [1, 2, 3, 4])
    assert np.isnan(out[2][2]).all() and all(seconds >= 0 for *_, seconds in out)
