"""The pieces behind ``tf-lu app``: request checks, trackers advanced together, the response map and its picture."""
import numpy as np
import pytest

from tf_lu.errors import TfLuError
from tf_lu.web.inputs import first_box, output_format, shown_name, tracker_choice
from tf_lu.web.job_outputs import box_file_name, box_file_text, scores
from tf_lu.web.lockstep import track_together
from tf_lu.web.response_map import MAP_SIDE, heatmap


def test_first_box_reads_a_list_or_text_and_checks_it_against_the_frame():
    assert first_box([1, 2, 3, 4], 64, 48).tolist() == [1, 2, 3, 4]
    assert first_box(" 1.5, 2\t3 4 ", 64, 48).tolist() == [1.5, 2, 3, 4]
    for bad, fragment in (("1,2,3", "must be 4 numbers"), ({"x": 1}, "must be 4 numbers"), ("a,b,c,d", "4 numbers"),
                          ([1, 2, 0, 4], "zero size"), ([64, 0, 5, 5], "lies outside the 64x48 image"),
                          (["nan", 1, 2, 3], "4 finite numbers")):
        with pytest.raises(TfLuError, match=fragment):
            first_box(bad, 64, 48)


def test_tracker_choice_and_output_format():
    assert tracker_choice(["b", "a", "b"], ["a", "b"]) == ["b", "a"]
    for bad in ([], None, "a", ["c"]):
        with pytest.raises(TfLuError):
            tracker_choice(bad, ["a", "b"])
    with pytest.raises(TfLuError, match="at most 8"):
        tracker_choice([str(k) for k in range(9)], [str(k) for k in range(9)])
    assert [output_format(v) for v in (None, "", "GIF", "none")] == ["mp4", "mp4", "gif", "none"]
    with pytest.raises(TfLuError, match="unknown output format"):
        output_format("../x")


def test_shown_names_are_last_path_parts_of_printable_characters():
    assert shown_name("C:\\fakepath\\clip.mp4") == "clip.mp4"
    assert shown_name("../../etc/clip\x00\n.mp4") == "clip.mp4"
    assert shown_name("") == "upload"
    long = shown_name("x" * 200 + ".mp4")
    assert len(long) <= 80 and long.endswith("....mp4")


def test_box_files_and_names():
    assert box_file_text([[0, 1, 10.5, 20.25], [np.nan] * 4]) == "1,2,10.5,20.25\nNaN,NaN,NaN,NaN\n"
    assert box_file_name("my clip.mp4", "../siamfc ema") == "my_clip_siamfc_ema.txt"


def test_scores_by_hand():
    truth = np.array([[0, 0, 10, 10], [0, 0, 10, 10]], dtype=np.float64)
    found = scores([truth, np.array([[0, 0, 10, 10], [30, 30, 10, 10]])], ["a", "b"], truth)
    assert found["frames"] == 2
    assert found["trackers"][0] == {"name": "a", "auc": pytest.approx(20 / 21, abs=1e-4), "precision": 1.0,
                                    "success": [1.0] * 20 + [0.0]}
    assert found["trackers"][1]["precision"] == 0.5 and found["trackers"][1]["success"][0] == 0.5
    assert scores([truth], ["a"], None) is None


class Counter:
    """A tracker that adds ``step`` to x at every update and logs which frame it saw."""

    def __init__(self, step):
        self.step, self.seen = step, []

    def init(self, image, box):
        self.box = np.array(box, dtype=np.float64)
        self.seen.append(int(image[0, 0, 0]))

    def update(self, image):
        self.seen.append(int(image[0, 0, 0]))
        self.box = self.box + (self.step, 0, 0, 0)
        return self.box


def test_track_together_gives_each_tracker_every_frame_decoded_once():
    decoded = []

    def frames():
        for k in range(4):
            decoded.append(k)
            yield np.full((8, 8, 3), k, np.uint8)

    trackers = [Counter(1), Counter(2)]
    steps = list(track_together(trackers, frames(), [1, 1, 4, 4]))
    assert decoded == [0, 1, 2, 3] and [t.seen for t in trackers] == [[0, 1, 2, 3]] * 2
    assert [index for index, *_ in steps] == [0, 1, 2, 3]
    assert [boxes[1][0] for _, _, boxes, _ in steps] == [1, 3, 5, 7]
    assert all(len(seconds) == 2 and min(seconds) >= 0 for *_, seconds in steps)


def test_heatmap_is_dark_red_at_the_peak_and_dark_blue_at_the_minimum():
    response = np.zeros((17, 17), np.float32)
    response[3, 12] = 1.0
    picture = heatmap(response)
    assert picture.shape == (MAP_SIDE, MAP_SIDE, 3) and picture.dtype == np.uint8
    hottest = np.argwhere((picture == (128, 0, 0)).all(axis=2))               # JET's top colour: dark red
    assert len(hottest) and np.all(np.abs(hottest - (np.array([3, 12]) + 0.5) * MAP_SIDE / 17) <= 4)
    assert (picture == (0, 0, 128)).all(axis=2).any()                         # its bottom colour: dark blue
    assert (heatmap(np.ones((5, 5))) == [0, 0, 128]).all()        # a flat response: its minimum everywhere


def test_the_response_map_is_the_one_the_tracker_located_the_target_with():
    """The probe's map equals the middle scale of the raw responses the tracker's own step computes."""
    from tf_lu.tracking.registry import build_tracker
    from tf_lu.tracking.streams import stack_frames
    from tf_lu.web.response_map import ResponseProbe
    rng = np.random.default_rng(0)
    first, second = (rng.integers(0, 255, (96, 128, 3), dtype=np.uint8) for _ in range(2))
    tracker = build_tracker("siamfc-none")
    tracker.init(first, np.array([40.0, 30.0, 24.0, 20.0]))
    state = tracker.state
    shown = ResponseProbe(tracker).response(second, state)
    frames, sizes = stack_frames([second])
    _, raw, _ = tracker.graph._search(frames, sizes, state)
    middle = len(tracker.graph.scales) // 2
    np.testing.assert_allclose(shown, raw.numpy()[0, middle], rtol=1e-4, atol=1e-4 * np.abs(shown).max())
    assert tracker.state is state                   # the probe leaves the tracker as it was
