"""Procedural tracking sequences (tf_lu.data.synthetic): tiny fixtures, fast."""
import os

import cv2
import numpy as np
import pytest

from test_cli import assert_user_error, run_cli
from tf_lu.data.sequences import Sequence, read_otb_sequence
from tf_lu.data.synthetic import (SyntheticConfig, generate_dataset, generate_sequence, sequence_seed,
                                  write_otb_folder)
from tf_lu.errors import TfLuError

TINY = SyntheticConfig(num_frames=8, height=64, width=80)
PLAIN = SyntheticConfig(num_frames=8, height=64, width=80, num_distractors=(0, 0), occlusion_prob=0.0, noise_std=0)


def _centre_crop(sequence, index, fraction=0.5):
    """The central ``fraction`` of the target box in frame ``index`` as float32."""
    x, y, w, h = sequence.boxes[index]
    cx, cy = x + (w - 1) / 2, y + (h - 1) / 2
    top, bottom = int(round(cy - fraction * h / 2)), int(round(cy + fraction * h / 2)) + 1
    left, right = int(round(cx - fraction * w / 2)), int(round(cx + fraction * w / 2)) + 1
    return sequence.frames[index][top:bottom, left:right].astype(np.float32)


def test_same_seed_same_sequence_and_different_seeds_differ():
    a, b, c = generate_sequence(5, TINY), generate_sequence(5, TINY), generate_sequence(6, TINY)
    assert all(np.array_equal(fa, fb) for fa, fb in zip(a.frames, b.frames))
    np.testing.assert_array_equal(a.boxes, b.boxes)
    np.testing.assert_array_equal(a.absent, b.absent)
    assert not np.array_equal(a.frames[0], c.frames[0])
    assert not np.allclose(a.boxes[0], c.boxes[0])


def test_frames_and_boxes_are_well_formed():
    for seed in range(4):
        seq = generate_sequence(seed, TINY)
        assert isinstance(seq, Sequence) and len(seq) == 8
        assert seq.boxes.shape == (8, 4) and seq.absent.shape == (8,)
        for frame in seq.frames:
            assert frame.shape == (64, 80, 3) and frame.dtype == np.uint8
        assert not seq.absent[0]
        present = seq.boxes[~seq.absent]
        assert np.all(np.isfinite(present)) and np.all(present[:, 2:] > 0)
        assert np.all(present[:, :2] >= 0)
        assert np.all(present[:, 0] + present[:, 2] <= 80 + 1e-9)
        assert np.all(present[:, 1] + present[:, 3] <= 64 + 1e-9)
        assert np.all(np.isnan(seq.boxes[seq.absent]))
        first = seq.boxes[0]  # the first box lies wholly inside the frame
        assert first[2] >= 4 and first[3] >= 4 and first[0] + first[2] <= 80 and first[1] + first[3] <= 64
        assert np.all((seq.occlusion >= 0) & (seq.occlusion <= 1))


def test_target_stands_out_from_its_surroundings():
    contrasts = []
    for seed in range(5):
        seq = generate_sequence(seed, PLAIN)
        frame = seq.frames[0].astype(np.float32)
        x, y, w, h = seq.boxes[0]
        cx, cy = x + (w - 1) / 2, y + (h - 1) / 2
        yy, xx = np.mgrid[:64, :80]
        r = np.maximum(np.abs(xx - cx) / (w / 2), np.abs(yy - cy) / (h / 2))
        inside, ring = frame[r < 0.5].mean(axis=0), frame[(r > 1.2) & (r < 1.8)].mean(axis=0)
        contrasts.append(np.abs(inside - ring).mean())
    assert sum(c > 15 for c in contrasts) >= 4, contrasts


def test_appearance_drifts():
    base = dict(num_frames=10, height=96, width=128, num_distractors=(0, 0), occlusion_prob=0.0, noise_std=0)
    drifting = SyntheticConfig(drift=1.0, **base)
    steady = SyntheticConfig(drift=0.0, pattern_rotation=0.0, illumination=0.0, frame_illumination=0.0, **base)

    def change(seed, config):
        seq = generate_sequence(seed, config)
        first, last = (cv2.resize(_centre_crop(seq, i), (8, 8), interpolation=cv2.INTER_AREA) for i in (0, -1))
        return float(np.abs(first - last).mean())

    moved = [change(seed, drifting) for seed in range(3)]
    still = [change(seed, steady) for seed in range(3)]
    assert np.mean(moved) > 15 and np.mean(moved) > 2 * np.mean(still), (moved, still)


def test_occluders_hide_the_target_and_mark_absent_frames():
    config = SyntheticConfig(num_frames=16, height=64, width=80, occlusion_prob=1.0, num_distractors=(0, 0))
    hidden = 0
    for seed in range(3):
        seq = generate_sequence(seed, config)
        np.testing.assert_array_equal(seq.absent, seq.occlusion >= config.absent_occlusion)
        assert seq.occlusion[0] == 0 and np.all(np.isfinite(seq.true_boxes))
        hidden += int(seq.absent.sum())
    assert hidden > 0


def test_otb_round_trip(tmp_path):
    seq = generate_sequence(3, TINY)
    boxes = seq.boxes.copy()
    boxes[4] = np.nan  # make sure an absent frame is in the file
    seq = Sequence(name=seq.name, frames=seq.frames, boxes=boxes)
    write_otb_folder(seq, str(tmp_path / "seq"))
    assert sorted(os.listdir(tmp_path / "seq" / "img"))[:2] == ["0001.jpg", "0002.jpg"]
    lines = (tmp_path / "seq" / "groundtruth_rect.txt").read_text().splitlines()
    assert len(lines) == 8 and lines[4] == "NaN,NaN,NaN,NaN"
    back = read_otb_sequence(str(tmp_path / "seq"))
    assert len(back) == 8
    np.testing.assert_array_equal(back.absent, seq.absent)
    np.testing.assert_allclose(back.boxes[~seq.absent], seq.boxes[~seq.absent], atol=0.0051)
    assert np.all(np.isnan(back.boxes[4]))
    frame = back.frame(0)
    assert frame.shape == (64, 80, 3) and np.abs(frame.astype(float) - seq.frames[0]).mean() < 10


def test_objects_and_backgrounds_are_composited():
    obj = np.zeros((30, 20, 3), np.uint8)
    obj[:] = (230, 40, 30)  # red object
    background = np.zeros((50, 70, 3), np.uint8)
    background[:] = (20, 40, 220)  # blue background
    config = SyntheticConfig(num_frames=6, height=64, width=80, num_distractors=(0, 0), occlusion_prob=0.0)
    seq = generate_sequence(1, config, objects=[obj], backgrounds=[background])
    centre = _centre_crop(seq, 0, 0.4).reshape(-1, 3).mean(axis=0)
    assert centre[0] > 150 and centre[2] < 100, centre
    corners = np.concatenate([seq.frames[0][:4, :4], seq.frames[0][-4:, -4:]]).reshape(-1, 3).mean(axis=0)
    assert corners[2] > 150 and corners[0] < 100, corners
    # with distractors, occluders and several patches too
    busy = SyntheticConfig(num_frames=6, height=64, width=80, num_distractors=(2, 2), occlusion_prob=1.0)
    seq = generate_sequence(2, busy, objects=[obj, obj[::-1, :, ::-1].copy()], backgrounds=[background])
    assert len(seq) == 6 and seq.frames[0].shape == (64, 80, 3) and not seq.absent[0]


def test_dataset_names_and_seeds():
    data = generate_dataset(7, 2, SyntheticConfig(num_frames=3, height=32, width=40))
    assert [s.name for s in data] == ["synthetic-0000", "synthetic-0001"]
    again = generate_sequence(sequence_seed(7, 1), SyntheticConfig(num_frames=3, height=32, width=40))
    assert all(np.array_equal(a, b) for a, b in zip(data[1].frames, again.frames))


def test_bad_config_is_a_user_error():
    with pytest.raises(TfLuError):
        generate_sequence(0, SyntheticConfig(num_frames=0))
    with pytest.raises(TfLuError):
        generate_sequence(0, TINY, objects=[])


def test_make_synthetic_command(tmp_path, capsys):
    out = tmp_path / "syn"
    code, stdout, err = run_cli(capsys, "make-synthetic", "--out", out, "--count", 1, "--frames", 3, "--seed", 4,
                                "--height", 32, "--width", 40)
    assert code == 0, err
    assert stdout.strip() == f"wrote 1 sequences of 3 frames to {out}"
    seq = read_otb_sequence(str(out / "synthetic-0000"))
    assert len(seq) == 3 and seq.frame(0).shape == (32, 40, 3)
    np.testing.assert_allclose(seq.boxes, generate_sequence(sequence_seed(4, 0), SyntheticConfig(
        num_frames=3, height=32, width=40)).boxes, atol=0.01)
    code, _, err = run_cli(capsys, "make-synthetic", "--out", out, "--count", -1)
    assert_user_error(code, err, "--count: must be at least 0")


def sequence_summary(sequence):
    """What a generated sequence promises, in numbers that do not depend on the CPU's SIMD code paths: the absent
    frames, the boxes of its first, middle and last frame, and the frames' per-channel mean, standard deviation and
    mean frame-to-frame change (OpenCV's resampling and blurring round differently between CPU families, so the
    frames' bytes are not pinned)."""
    frames = np.stack(sequence.frames).astype(np.float64)
    rows = [0, len(sequence) // 2, len(sequence) - 1]
    return {"absent": np.flatnonzero(sequence.absent).tolist(), "boxes": np.asarray(sequence.boxes)[rows],
            "mean": frames.mean(axis=(0, 1, 2)), "std": frames.std(axis=(0, 1, 2)),
            "motion": np.abs(np.diff(frames, axis=0)).mean()}


def assert_sequence_matches(sequence, absent, boxes, mean, std, motion):
    """``sequence`` has the pinned summary: boxes to 1e-3 px, frame statistics to 0.3 grey levels."""
    got = sequence_summary(sequence)
    assert got["absent"] == absent
    np.testing.assert_allclose(got["boxes"], boxes, atol=1e-3)
    np.testing.assert_allclose(got["mean"], mean, atol=0.3)
    np.testing.assert_allclose(got["std"], std, atol=0.3)
    np.testing.assert_allclose(got["motion"], motion, atol=0.3)


def test_a_short_sequence_is_pinned():
    """Geometry and frame statistics of one short sequence: any change to the random draws or the drawing changes
    every generated dataset, so it must be deliberate.  Within one process the frames are reproduced exactly."""
    config = SyntheticConfig(num_frames=6, height=48, width=64, num_distractors=(1, 1), occlusion_prob=1.0)
    seq = generate_sequence(3, config)
    assert_sequence_matches(seq, [], [[4.723, 32.953, 5.857, 10.403], [5.076, 33.606, 5.602, 9.968],
                                      [5.054, 33.182, 5.465, 9.726]],
                            [81.03, 111.16, 100.07], [31.76, 52.44, 39.93], 13.88)
    again = generate_sequence(3, config)
    np.testing.assert_array_equal(np.stack(again.frames), np.stack(seq.frames))
    np.testing.assert_array_equal(again.boxes, seq.boxes)