"""Look-alike distractors: their boxes on generated sequences, counting identity switches, and ``tf-lu lookalike``."""
import json

import numpy as np
import pytest

from test_cli import assert_user_error, run_cli
from test_synthetic import assert_sequence_matches
from tf_lu.data.synthetic import (SyntheticConfig, generate_sequence, lookalike_config, lookalike_sequences,
                                  sequence_seed)
from tf_lu.data.synthetic.render import render_sequence
from tf_lu.data.synthetic.scene import plan_background, plan_distractors, plan_occluders, plan_target
from tf_lu.errors import TfLuError
from tf_lu.evaluation.identity_switches import count_identity_switches, distractor_identity, total

NAN = [np.nan] * 4


# ------------------------------------------------------------------------------------------- counting on hand boxes

def test_switch_onto_a_distractor_and_back():
    # target centred at (4.5, 4.5), distractor at (24.5, 4.5); the prediction drifts over and back
    target = np.tile([0.0, 0, 10, 10], (6, 1))
    distractor = np.tile([20.0, 0, 10, 10], (1, 6, 1))
    predicted = np.array([[0, 0, 10, 10],      # on the target
                          [12, 0, 10, 10],     # centre 16.5: closer to the distractor, but outside its box (19.5..)
                          [16, 0, 10, 10],     # centre 20.5: inside (19.5..29.5) and closer to it -> switch
                          [20, 0, 10, 10],     # still on it
                          [0, 0, 10, 10],      # back on the target
                          [21, 1, 8, 8]], float)  # centre (24.5, 4.5) again -> second switch
    result = count_identity_switches(target, distractor, predicted)
    np.testing.assert_array_equal(result.identity, [-1, -1, 0, 0, -1, 0])
    assert result.switch_frames == [2, 5] and result.switches == 2
    assert result.frames_on_distractor == 3 and result.fraction_on_distractor == pytest.approx(0.5)
    assert result.as_dict() == {"switches": 2, "switch_frames": [2, 5], "frames_on_distractor": 3,
                                "fraction_on_distractor": 0.5, "frames": 6}


def test_inside_a_distractor_but_nearer_the_target_is_not_on_it():
    # an overlapping distractor (extent 5.5..15.5): centre 7 is inside it but 2.5 from the target's centre, 3.5 from its
    target = np.array([[0.0, 0, 10, 10]])
    distractor = np.array([[[6.0, 0, 10, 10]]])
    assert distractor_identity(target, distractor, [[2.5, 0, 10, 10]]).tolist() == [-1]
    assert distractor_identity(target, distractor, [[3.0, 0, 10, 10]]).tolist() == [-1]      # a tie: 3 and 3
    assert distractor_identity(target, distractor, [[6.0, 0, 10, 10]]).tolist() == [0]      # centre 10.5: 6 vs 0
    # exactly half the width from the distractor's centre (24.5) is inside it
    far = np.array([[[20.0, 0, 10, 10]]])
    assert distractor_identity(target, far, [[15.0, 0, 10, 10]]).tolist() == [0]       # centre 19.5 at the edge
    assert distractor_identity(target, far, [[14.9, 0, 10, 10]]).tolist() == [-1]


def test_hopping_between_distractors_counts_each_hop():
    target = np.tile([0.0, 0, 10, 10], (4, 1))
    distractors = np.stack([np.tile([20.0, 0, 10, 10], (4, 1)), np.tile([40.0, 0, 10, 10], (4, 1))])
    predicted = np.array([[20, 0, 10, 10], [20, 0, 10, 10], [40, 0, 10, 10], [41, 0, 10, 10]], float)
    result = count_identity_switches(target, distractors, predicted)
    assert result.identity.tolist() == [0, 0, 1, 1]
    assert result.switch_frames == [0, 2]


def test_overlapping_distractors_pick_the_nearest_centre():
    target = np.array([[100.0, 100, 10, 10]])
    distractors = np.array([[[0.0, 0, 20, 20]], [[4.0, 4, 20, 20]]])
    # centre (13.5, 13.5) is inside both; 0 from the second's centre, 5.7 from the first's (9.5, 9.5)
    assert distractor_identity(target, distractors, [[9.0, 9, 10, 10]]).tolist() == [1]
    assert distractor_identity(target, distractors, [[5.0, 5, 10, 10]]).tolist() == [0]


def test_missing_boxes():
    target = np.array([[0.0, 0, 10, 10], NAN, [0, 0, 10, 10], [0, 0, 10, 10]])
    distractor = np.array([[[20.0, 0, 10, 10], [20, 0, 10, 10], NAN, [20, 0, 0, 10]]])
    predicted = np.array([NAN, [20.0, 0, 10, 10], [20, 0, 10, 10], [20, 0, 10, 10]])
    # no prediction; target unknown (infinitely far) so the distractor wins; distractor off the frame; zero width
    assert distractor_identity(target, distractor, predicted).tolist() == [-1, 0, -1, -1]
    none = count_identity_switches(target, np.zeros((0, 4, 4)), predicted)
    assert none.switches == 0 and none.frames_on_distractor == 0 and none.identity.tolist() == [-1] * 4


def test_totals_and_bad_shapes():
    target = np.tile([0.0, 0, 10, 10], (4, 1))
    distractor = np.tile([20.0, 0, 10, 10], (1, 4, 1))
    on = count_identity_switches(target, distractor, np.tile([20.0, 0, 10, 10], (4, 1)))
    off = count_identity_switches(target, distractor, target)
    assert total({"a": on, "b": off}) == {"switches": 1, "frames_on_distractor": 4, "fraction_on_distractor": 0.5,
                                          "frames": 8, "sequences_with_switch": 1}
    with pytest.raises(TfLuError, match="3 predicted boxes for 4 target boxes"):
        count_identity_switches(target, distractor, target[:3])
    with pytest.raises(TfLuError, match="distractor boxes must have shape"):
        count_identity_switches(target, distractor[0], target)
    with pytest.raises(TfLuError, match="distractor boxes cover 4 frames, the target 3"):
        count_identity_switches(target[:3], distractor, target[:3])


# ----------------------------------------------------------------------------------- distractor boxes as rendered

def test_distractor_boxes_leave_the_generated_frames_as_they_were():
    """Geometry and frame statistics pinned before the distractor boxes were exposed (see test_synthetic)."""
    busy = SyntheticConfig(num_frames=12, height=64, width=80, num_distractors=(3, 3), occlusion_prob=1.0)
    assert_sequence_matches(generate_sequence(11, busy), [4, 8],
                            [[63.046, 12.283, 10.383, 17.376], [59.378, 10.529, 10.941, 18.476],
                             [59.104, 10.005, 11.38, 19.073]], [120.85, 87.42, 143.74], [16.0, 21.26, 33.19], 14.64)
    demo = generate_sequence(sequence_seed(2024, 0), SyntheticConfig(num_frames=20))
    assert_sequence_matches(demo, [], [[67.408, 92.879, 42.992, 33.692], [46.594, 100.629, 35.648, 31.292],
                                       [48.39, 120.727, 33.462, 28.676]],
                            [126.25, 178.23, 143.75], [38.66, 24.03, 31.36], 3.97)
    assert demo.distractor_boxes.shape[1:] == (20, 4)


def _plan_and_render(seed, config):
    """Frames drawn with and without the distractors of the sequence ``seed`` makes (the generator's plan order)."""
    rng = np.random.default_rng(seed)
    target = plan_target(rng, config, None)
    distractors = plan_distractors(rng, config, target)
    occluders = plan_occluders(rng, config, target, None, None)
    background = plan_background(rng, config, None)
    with_them = render_sequence(config, target, distractors, occluders, background)[0]
    without = render_sequence(config, target, [], occluders, background)[0]
    return distractors, with_them, without


def test_distractor_boxes_follow_the_plan_and_the_pixels():
    config = SyntheticConfig(num_frames=16, height=96, width=128, num_distractors=(2, 2), occlusion_prob=0.0,
                             noise_std=0)
    for seed in (0, 1):
        sequence = generate_sequence(seed, config)
        boxes = sequence.distractor_boxes
        distractors, with_them, without = _plan_and_render(seed, config)
        assert boxes.shape == (2, 16, 4)
        for d, plan in enumerate(distractors):
            visible = np.all(np.isfinite(boxes[d]), axis=1)
            centres = boxes[d, :, :2] + (boxes[d, :, 2:] - 1) / 2
            whole = visible & (boxes[d, :, 0] > 0) & (boxes[d, :, 1] > 0) & (boxes[d, :, 0] + boxes[d, :, 2] < 128) \
                & (boxes[d, :, 1] + boxes[d, :, 3] < 96)
            np.testing.assert_allclose(centres[whole], plan["path"][whole])
            np.testing.assert_allclose(boxes[d, whole, 2], plan["w"][whole])
            np.testing.assert_allclose(boxes[d, whole, 3], plan["h"][whole])
        for t in range(16):
            ys, xs = np.nonzero(np.any(with_them[t] != without[t], axis=-1))
            inside = np.zeros(len(xs), bool)  # a box spans x - 0.5 .. x + w - 0.5; the drawn edge is about 1 px soft
            for x, y, w, h in boxes[:, t][np.all(np.isfinite(boxes[:, t]), axis=1)]:
                inside |= (xs >= x - 1.5) & (xs <= x + w + 0.5) & (ys >= y - 1.5) & (ys <= y + h + 0.5)
            assert inside.all(), f"seed {seed} frame {t}: distractor pixels outside every distractor box"


def test_a_lone_distractor_box_is_the_extent_of_its_pixels():
    config = SyntheticConfig(num_frames=16, height=96, width=128, num_distractors=(1, 1), occlusion_prob=0.0,
                             noise_std=0)
    checked = 0
    for seed in range(3):
        sequence = generate_sequence(seed, config)
        _, with_it, without = _plan_and_render(seed, config)
        for t, (x, y, w, h) in enumerate(sequence.distractor_boxes[0]):
            tx, ty, tw, th = sequence.true_boxes[t]
            clear = x > 0 and y > 0 and x + w < 128 and y + h < 96 and (x > tx + tw + 1 or tx > x + w + 1
                                                                      or y > ty + th + 1 or ty > y + h + 1)
            if not clear:
                continue
            ys, xs = np.nonzero(np.any(with_it[t] != without[t], axis=-1))
            np.testing.assert_allclose([xs.min(), ys.min(), xs.max(), ys.max()], [x, y, x + w - 1, y + h - 1], atol=1.5)
            checked += 1
    assert checked >= 10


def test_no_distractors_gives_an_empty_first_axis():
    config = SyntheticConfig(num_frames=5, height=48, width=64, num_distractors=(0, 0))
    assert generate_sequence(1, config).distractor_boxes.shape == (0, 5, 4)


def test_lookalike_set():
    config = lookalike_config(12)
    assert config.num_frames == 12 and config.num_distractors == (3, 4) and config.distractor_color_shift == 0.05
    small = lookalike_config(6, height=48, width=64)
    first = lookalike_sequences(2, config=small)
    again = lookalike_sequences(1, config=small)
    assert [s.name for s in first] == ["lookalike-7000-0000", "lookalike-7000-0001"]
    assert all(np.array_equal(a, b) for a, b in zip(first[0].frames, again[0].frames))
    assert all(3 <= len(s.distractor_boxes) <= 4 and s.distractor_boxes.shape[1:] == (6, 4) for s in first)
    with pytest.raises(TfLuError, match="count must be at least 1"):
        lookalike_sequences(0)


# ------------------------------------------------------------------------------------------------------ the command

def test_lookalike_command(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "lookalike", "--trackers", "opencv-kcf", "--count", 1, "--frames", 8,
                                "--out", out, "--no-progress")
    assert code == 0, err
    assert "| opencv-kcf |" in stdout and "identity switches" in stdout
    report = json.loads((out / "identity_switches.json").read_text())
    assert report["seed"] == 7000 and report["frames"] == 8 and report["sequences"] == ["lookalike-7000-0000"]
    entry = report["trackers"]["opencv-kcf"]
    summary = json.loads((out / "summary.json").read_text())
    assert entry["auc"] == pytest.approx(summary["trackers"]["opencv-kcf"]["auc"])
    assert entry["frames"] == 8 and 0 <= entry["frames_on_distractor"] <= 8
    assert entry["switches"] == entry["sequences"]["lookalike-7000-0000"]["switches"]
    assert (out / "results" / "opencv-kcf" / "lookalike-7000-0000.txt").is_file()
    table = (out / "identity_switches.md").read_text()
    assert "| opencv-kcf |" in table and "Rule:" in table
    code, _, err = run_cli(capsys, "lookalike", "--count", 0, "--out", out)
    assert_user_error(code, err, "--count: must be at least 1")
    code, _, err = run_cli(capsys, "lookalike", "--trackers", "nope", "--count", 1, "--frames", 4, "--out", out)
    assert_user_error(code, err, "unknown tracker 'nope'")
