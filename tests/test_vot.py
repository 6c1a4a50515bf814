"""VOT protocol: accuracy / robustness / EAO against a hand-computed example, the supervised run with a scripted
tracker (failures -> re-initialisations -> result-file codes), and the realtime run with an injected clock."""
import numpy as np
import pytest

from tf_lu.data.sequences import Sequence
from tf_lu.data.vot_sequences import VotSequence
from tf_lu.errors import TfLuError
from tf_lu.evaluation.eao import (FAILURE, INIT, SKIPPED, eao_range, expected_overlap_curve, fragments,
                                  sequence_accuracy, trajectory_overlaps, vot_scores)
from tf_lu.evaluation.vot_protocol import run_realtime, run_supervised
from tf_lu.evaluation.vot_results import parse_trajectory, read_run, write_run

B = np.array([1.0, 1.0, 1.0, 1.0])  # a placeholder region: the hand example gives overlaps directly

# Run A, 8 frames: init, 0.8, 0.6, failure, skipped, re-init, 0.5, 0.7.   Run B, 5 frames: init, 0.9, 0.9, 0.6, 0.3.
RUN_A = ([INIT, B, B, FAILURE, SKIPPED, INIT, B, B], np.array([np.nan, .8, .6, np.nan, np.nan, np.nan, .5, .7]))
RUN_B = ([INIT, B, B, B, B], np.array([np.nan, .9, .9, .6, .3]))


def test_accuracy_by_hand():
    # burn-in 2 leaves out each init frame and the one after it:
    # A counts frames 2 (0.6) and 7 (0.7) -> 0.65; B counts 0.9, 0.6, 0.3 -> 0.6
    assert sequence_accuracy(*RUN_A, burnin=2) == (pytest.approx(0.65), 2)
    assert sequence_accuracy(*RUN_B, burnin=2) == (pytest.approx(0.6), 3)
    # VOT's 10 frames of burn-in cover these short runs whole: nothing counts, accuracy 0 (the toolkit's value)
    assert sequence_accuracy(*RUN_A) == (0.0, 0)


def test_fragments_by_hand():
    pieces = fragments(*RUN_A)
    assert [(p.tolist(), failed) for p, failed in pieces] == [([0.0, 0.8, 0.6], True), ([0.0, 0.5, 0.7], False)]


def test_expected_overlap_and_scores_by_hand():
    # fragments: A1 = [init, .8, .6] then failure (zeros for ever), A2 = [init, .5, .7] (ends with the sequence),
    # B1 = [init, .9, .9, .6, .3].  Expected overlap after k frames: mean over the usable fragments of their mean over
    # their frames 1..k (a fragment is usable when it failed or goes on for more than k frames); the curve stops at the
    # longest fragment (5 frames, k <= 4):
    #   k=1: (.8 + .5 + .9) / 3                        = 0.7333...
    #   k=2: (.7 + .6 + .9) / 3                        = 0.7333...
    #   k=3: A2 too short; ((.8+.6+0)/3 + (.9+.9+.6)/3) / 2 = (0.4667 + 0.8) / 2 = 0.6333...
    #   k=4: (1.4/4 + 2.7/4) / 2 = (0.35 + 0.675) / 2 = 0.5125
    # EAO over k in [1, 3] = (0.7333 + 0.7333 + 0.6333) / 3 = 0.7
    pieces = fragments(*RUN_A) + fragments(*RUN_B)
    curve = expected_overlap_curve(pieces)
    expected = [np.nan, 2.2 / 3, 2.2 / 3, (1.4 / 3 + 0.8) / 2, 0.5125]
    np.testing.assert_allclose(curve, expected, atol=1e-12)
    scores = vot_scores([RUN_A, RUN_B], preset=(1, 3), burnin=2)
    assert scores["eao"] == pytest.approx(0.7)
    # accuracy: per-sequence accuracies weighted by length: (0.65 * 8 + 0.6 * 5) / 13 = 8.2 / 13
    assert scores["accuracy"] == pytest.approx(8.2 / 13)
    # robustness: 1 failure in 13 frames -> 7.69 per 100 frames
    assert scores["failures"] == 1 and scores["frames"] == 13
    assert scores["robustness"] == pytest.approx(100 / 13)
    assert [s["failures"] for s in scores["sequences"]] == [1, 0]
    # the range is clipped to the curve: [3, 100] averages k = 3, 4; a range past the curve has no EAO
    assert vot_scores([RUN_A, RUN_B], preset=(3, 100))["eao"] == pytest.approx(((1.4 / 3 + 0.8) / 2 + 0.5125) / 2)
    assert np.isnan(vot_scores([RUN_A, RUN_B], preset=(6, 100))["eao"])


def test_a_sequence_with_no_frame_past_its_burn_in_has_no_accuracy():
    """Sequences of 10 frames or fewer: accuracy n/a per sequence, 0 inside the frame-weighted mean (the toolkit's
    weighting), and n/a for the mean when no sequence has a counted frame."""
    from tf_lu.evaluation.vot_results import _cell
    both = vot_scores([RUN_A, RUN_B], preset=(1, 3), burnin=4)       # A: nothing past its burn-ins; B: 0.3
    assert [s["accuracy"] for s in both["sequences"]] == [None, pytest.approx(0.3)]
    assert both["accuracy"] == pytest.approx(0.3 * 5 / 13)
    none = vot_scores([RUN_A, RUN_B], preset=(1, 3))                 # VOT's 10-frame burn-in covers both
    assert none["accuracy"] is None and _cell(none["accuracy"], 3) == "n/a"


def test_fragments_pair_each_failure_with_its_initialisation_and_a_run_without_failure_is_whole():
    # frames 0-1 skipped (no target yet), init on 2, failure on 5, re-init on 10, failure on 12: no fragment to the end
    trajectory = [SKIPPED, SKIPPED, INIT, B, B, FAILURE] + [SKIPPED] * 4 + [INIT, B, FAILURE, SKIPPED]
    overlaps = np.where([isinstance(e, int) for e in trajectory], np.nan, 0.5)
    pieces = fragments(trajectory, overlaps)
    assert [(p.tolist(), failed) for p, failed in pieces] == [([0, .5, .5], True), ([0, .5], True)]
    whole = fragments([SKIPPED, INIT, B, B], np.array([np.nan, np.nan, .4, .6]))
    assert [(p.tolist(), failed) for p, failed in whole] == [([0, 0, .4, .6], False)]


def test_presets_and_bad_ranges():
    assert eao_range("vot2016") == (108, 371) and eao_range("VOT2018") == (100, 356)
    with pytest.raises(TfLuError, match="unknown VOT preset"):
        eao_range("vot1999")
    with pytest.raises(TfLuError, match="low <= high"):
        eao_range((10, 5))


# ------------------------------------------------------------------------------------------------ scripted runs

SIZE, N = 64, 24
GROUND_TRUTH = np.array([20.0, 20.0, 16.0, 16.0])


def index_sequence(n=N, regions=None):
    """Frames that carry their own index in every pixel; the target stands still at GROUND_TRUTH."""
    frames = [np.full((SIZE, SIZE, 3), i, dtype=np.uint8) for i in range(n)]
    return VotSequence(name="still", frames=frames, boxes=np.tile(GROUND_TRUTH, (n, 1)), regions=regions)


class ScriptedTracker:
    """Answers with the ground truth shifted right by the frame index / 100 px, except on ``fail_on`` frames, where
    it answers far away.  Each call advances ``clock`` by ``init_s`` / ``update_s`` seconds."""

    def __init__(self, fail_on=(), clock=None, init_s=0.0, update_s=0.0):
        self.fail_on, self.clock, self.init_s, self.update_s = set(fail_on), clock, init_s, update_s
        self.inits, self.updates = [], []

    def _tick(self, seconds):
        if self.clock is not None:
            self.clock.now += seconds

    def init(self, image, box):
        self.inits.append((int(image[0, 0, 0]), np.asarray(box).tolist()))
        self._tick(self.init_s)

    def update(self, image):
        index = int(image[0, 0, 0])
        self.updates.append(index)
        self._tick(self.update_s)
        if index in self.fail_on:
            return np.array([SIZE - 5.0, SIZE - 5.0, 4.0, 4.0])
        return GROUND_TRUTH + [index / 100.0, 0, 0, 0]


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def codes(trajectory):
    return [e if isinstance(e, int) else "box" for e in trajectory]


def test_supervised_run_reinitialises_five_frames_after_each_failure(tmp_path):
    tracker = ScriptedTracker(fail_on={3, 9, 21})
    run = run_supervised(tracker, index_sequence())
    # failure on 3 -> re-init on 8; failure on 9 (the first frame after it) -> re-init on 14; failure on 21 ->
    # re-init would be on 26, past the end: the rest is skipped
    expected = ([INIT, "box", "box", FAILURE] + [SKIPPED] * 4 + [INIT, FAILURE] + [SKIPPED] * 4 + [INIT]
                + ["box"] * 6 + [FAILURE, SKIPPED, SKIPPED])
    assert codes(run.trajectory) == expected
    assert [frame for frame, _ in tracker.inits] == [0, 8, 14]
    assert all(box == GROUND_TRUTH.tolist() for _, box in tracker.inits)
    assert tracker.updates == [1, 2, 3, 9, 15, 16, 17, 18, 19, 20, 21]  # skipped frames never reach the tracker
    # the VOT result file holds the same codes, and boxes elsewhere
    write_run(str(tmp_path), "scripted", "baseline", "still", run)
    lines = open(tmp_path / "scripted" / "baseline" / "still" / "still_001.txt").read().split()
    assert lines[:5] == ["1", "20.0100,20.0000,16.0000,16.0000", "20.0200,20.0000,16.0000,16.0000", "2", "0"]
    trajectory, times = read_run(str(tmp_path), "scripted", "baseline", index_sequence())
    assert codes(trajectory) == expected and len(times) == N


def test_supervised_run_initialises_on_the_polygons_bounding_box():
    diamond = np.tile([28.0, 20, 36, 28, 28, 36, 20, 28], (N, 1))  # corners of a diamond inside [20, 36] x [20, 36]
    sequence = index_sequence(regions=list(diamond))
    sequence.boxes = np.tile([20.0, 20.0, 16.0, 16.0], (N, 1))
    tracker = ScriptedTracker()
    run = run_supervised(tracker, sequence)
    assert tracker.inits[0][1] == [20, 20, 16, 16]
    assert codes(run.trajectory).count(FAILURE) == 0
    overlaps = trajectory_overlaps(run.trajectory, list(diamond), (SIZE, SIZE))
    # the box (the diamond's bounding box, shifted by i/100 px, which rounds away) covers pixels 20..35 of each axis
    # (256); the diamond's pixels are 2 x (1 + 3 + ... + 15) + 17 = 145 on rows 20..36, 2 of them on column or row 36
    np.testing.assert_allclose(overlaps[1:], 143 / 258, atol=1e-12)


def test_plain_sequence_is_scored_against_its_boxes():
    sequence = Sequence(name="plain", frames=index_sequence().frames, boxes=np.tile(GROUND_TRUTH, (N, 1)))
    run = run_supervised(ScriptedTracker(fail_on={5}), sequence)
    assert codes(run.trajectory)[5] == FAILURE and codes(run.trajectory)[10] == INIT


def test_realtime_run_keeps_the_last_box_while_the_tracker_is_busy():
    # 20 fps: frame j arrives at j * 0.05 s and must be answered by (j + 1) * 0.05 s.  init takes 0.01 s, each
    # update 0.12 s.  The tracker is free at 0.01, takes frame 1 at 0.05 (done 0.17), then the newest frame when
    # free: frame 3 at 0.17 (done 0.29), frame 5 at 0.29 (done 0.41), frame 8 at 0.41 (done 0.53), ...
    # Answers: frames 1-2 the initial box (nothing reported before 0.10 / 0.15), 3-4 frame 1's box (reported at
    # 0.17 < 0.20), 5-7 frame 3's box (0.29 < 0.30), 8 frame 5's box (0.41 < 0.45).
    clock = FakeClock()
    tracker = ScriptedTracker(clock=clock, init_s=0.01, update_s=0.12)
    run = run_realtime(tracker, index_sequence(n=9), clock=clock, fps=20)
    assert tracker.updates == [1, 3, 5, 8]
    shifts = [round(100 * (entry[0] - GROUND_TRUTH[0])) for entry in run.trajectory[1:]]
    assert shifts == [0, 0, 1, 1, 3, 3, 3, 5]
    assert run.trajectory[0] == INIT
    np.testing.assert_allclose(run.times[[0, 1, 3, 5, 8]], [0.01, 0.12, 0.12, 0.12, 0.12])
    assert run.calls == 5


def test_realtime_run_of_a_fast_tracker_is_the_baseline_run():
    clock = FakeClock()
    fast = ScriptedTracker(fail_on={6}, clock=clock, init_s=0.01, update_s=0.02)
    realtime = run_realtime(fast, index_sequence(), clock=clock)
    baseline = run_supervised(ScriptedTracker(fail_on={6}), index_sequence())
    assert codes(realtime.trajectory) == codes(baseline.trajectory)
    assert all(np.allclose(a, b) for a, b in zip(realtime.trajectory, baseline.trajectory) if not isinstance(a, int))


def test_realtime_failure_is_judged_on_the_stale_box():
    # the tracker answers far away on frame 1 (reported at 0.17 s): frames 3 and on get that box, so frame 3 fails
    # and the tracker is re-initialised on frame 8
    clock = FakeClock()
    tracker = ScriptedTracker(fail_on={1}, clock=clock, init_s=0.01, update_s=0.12)
    run = run_realtime(tracker, index_sequence(n=12), clock=clock, fps=20)
    assert codes(run.trajectory)[:9] == [INIT, "box", "box", FAILURE] + [SKIPPED] * 4 + [INIT]


def test_bad_result_lines_are_errors():
    assert parse_trajectory("1\n1.5,2,3,4\n2\n0\n", "r.txt")[2] == FAILURE
    with pytest.raises(TfLuError, match="r.txt, line 2: a one-value line must be 0, 1 or 2"):
        parse_trajectory("1\n7\n", "r.txt")
    with pytest.raises(TfLuError, match="r.txt, line 2"):
        parse_trajectory("1\n1,2,3\n", "r.txt")
