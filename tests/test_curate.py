"""Curation of dataset readers' tracks into pair and sequence records, resuming, mixing, and a few training steps.

Fixtures come from tests/test_datasets.py (tiny 48x64 JPEG frames in each dataset layout).
"""
import json
import os

import numpy as np
import pytest

from test_cli import assert_user_error, run_cli
from test_datasets import FRAMES, write_got10k, write_vid
from tf_lu.data.curation import CurateSettings, curate, filter_reason, plan_pairs, plan_sequences, trim_track
from tf_lu.data.datasets import read_dataset
from tf_lu.data.mixing import mixed_sequence_files, parse_weighted_path, parse_weighted_paths
from tf_lu.errors import TfLuError

# tiny buckets so that 6-frame fixtures give whole sequences: windows of 4 frames, buckets 2 and 4, interval 1
SMALL = dict(unroll=2, max_length=4, max_interval=1, pairs_per_track=6)


def _files(out, prefix):
    return sorted(n for n in os.listdir(out) if n.startswith(prefix) and n.endswith(".tfrecord"))


def _tiny_config():
    from tf_lu.config import load_config
    return load_config(overrides={"backbone": {"width": 0.25},
                                  "train": {"batch_size": 2, "steps": 2, "steps_per_epoch": 2}})


@pytest.fixture(scope="module")
def got10k_curated(tmp_path_factory):
    """GOT-10k fixture (3 videos) curated with 2 worker processes, one video per chunk."""
    base = tmp_path_factory.mktemp("got")
    root = write_got10k(str(base / "GOT-10k"), videos=3)
    settings = CurateSettings("got10k", root, str(base / "out"), stage="both", workers=2, videos_per_shard=1, **SMALL)
    messages = []
    manifest = curate(settings, progress=False, log=messages.append)
    return settings, manifest, messages


# ---------------------------------------------------------------------------------------------------- pure rules

def test_plan_pairs_respects_gap_and_usable_frames():
    rng = np.random.default_rng(0)
    usable = np.zeros(400, bool)
    usable[[0, 5, 50, 300, 399]] = True
    pairs = plan_pairs(usable, rng, 200, max_gap=100)
    assert len(pairs) == 20                                    # capped at 5 * 4 ordered pairs
    assert all(usable[i] and usable[j] and i != j and abs(i - j) <= 100 for i, j in pairs)
    assert {i for i, _ in pairs} <= {0, 5, 50, 300, 399}
    assert plan_pairs(np.array([True, False, False]), rng, 5, 100) == []


def test_plan_sequences_buckets_padding_and_dropping():
    rng = np.random.default_rng(1)
    # a long track is cut into windows of max_length; every kept window is a multiple of unroll
    plans = plan_sequences(np.ones(400, bool), rng, unroll=25, max_length=150, max_interval=1)
    kept = [(idx, bucket, action) for idx, bucket, action in plans if idx is not None]
    assert [b for _, b, _ in kept][:2] == [150, 150]
    assert all(len(idx) == bucket and bucket % 25 == 0 and bucket <= 150 for idx, bucket, _ in kept)
    assert all(np.all(np.diff(idx) >= 0) for idx, _, _ in kept)          # repeats keep the temporal order
    # interval <= max_interval
    for _ in range(5):
        plans = plan_sequences(np.ones(60, bool), rng, unroll=25, max_length=150, max_interval=2)
        for idx, _, _ in plans:
            if idx is not None:
                assert set(np.unique(np.diff(np.unique(idx)))) <= {1, 2}
    # the drop probability grows as the window falls below its bucket: 24 frames almost always padded,
    # 3 frames almost always dropped
    def outcome(n):
        actions = [plan_sequences(np.ones(n, bool), rng, 25, 150, 1)[0][2] for _ in range(300)]
        return actions.count("dropped") / len(actions)
    assert outcome(24) < 0.15 and outcome(3) > 0.75 and outcome(25) == 0.0
    # 26 frames: mostly cut to 25, sometimes padded to 50; never dropped
    actions = {plan_sequences(np.ones(26, bool), rng, 25, 150, 1)[0][1] for _ in range(200)}
    assert actions == {25, 50}
    # a window starts on a usable frame
    start_ok = np.ones(10, bool)
    start_ok[:3] = False
    idx, bucket, _ = plan_sequences(start_ok, rng, 1, 10, 1)[0]
    assert idx[0] == 3 and bucket == 7


def test_filters_and_trimming(tmp_path):
    root = write_vid(str(tmp_path / "vid"), tiny_track=True)
    tracks = {t.name.split("/")[-1]: trim_track(t) for t in read_dataset("vid", root, "train", limit=1)}
    settings = CurateSettings("vid", root, str(tmp_path / "o"))
    assert filter_reason(tracks["0"], settings) is None
    assert filter_reason(tracks["2"], settings) == "too_small"
    assert filter_reason(tracks["2"], CurateSettings("vid", root, "o", min_size=2)) is None
    assert filter_reason(tracks["0"], CurateSettings("vid", root, "o", aspect=(0.1, 1.0))) == "bad_aspect"
    assert filter_reason(tracks["1"], CurateSettings("vid", root, "o", min_visible=1.0)) is None
    assert filter_reason(tracks["0"], CurateSettings("vid", root, "o", min_visible=0.9)) == "mostly_absent"


# ------------------------------------------------------------------------------------------- curation end to end

def test_curate_both_stages_with_workers(got10k_curated):
    import tensorflow as tf
    from tf_lu.data.records import pair_dataset, parse_sequence, sequence_buckets
    settings, manifest, messages = got10k_curated
    out = settings.out
    assert manifest["dataset"] == "got10k" and manifest["root"] == "GOT-10k" and manifest["chunks"] == 3
    assert manifest["stages"] == ["pairs", "sequences"]
    assert manifest["tracks"]["seen"] == 3 and manifest["tracks"]["kept"] == 3
    assert manifest["filters"] == {"min_size": 8.0, "aspect": [0.1, 10.0], "min_visible": 0.5}
    assert _files(out, "pairs-") == [f"pairs-{k:05d}-of-00003.tfrecord" for k in range(3)]
    assert manifest["pairs"]["shards"] == _files(out, "pairs-")
    # each track: visible frames 0, 1, 2, 5 (3 is absent, 4 has cover 0) -> 4 * 3 = 12 ordered pairs, capped at 6
    assert manifest["pairs"]["count"] == 18
    assert manifest["sequences"]["shards"] == _files(out, "seq-") and manifest["sequences"]["count"] >= 3
    assert set(manifest["sequences"]["buckets"]) <= {"2", "4"}
    assert any("estimate" in m for m in messages)
    with open(os.path.join(out, "manifest.json")) as handle:
        assert json.load(handle) == manifest
    assert not [n for n in os.listdir(out) if n.endswith(".tmp")]
    # the pair records feed pair_dataset
    config = _tiny_config()
    (exemplars, searches), labels = next(iter(pair_dataset(out, config.train, config.track.total_stride)))
    assert exemplars.shape == (2, 127, 127, 3) and searches.shape == (2, 239, 239, 3)
    # the sequence records parse, with boxes centred in the 255 crops and absent frames flagged
    buckets = sequence_buckets(out)
    length = max(buckets)
    sequence = parse_sequence(next(iter(tf.data.TFRecordDataset(buckets[length]))))
    assert sequence["frames"].shape == (length, 255, 255, 3) and sequence["boxes"].shape == (length, 4)
    assert int(sequence["length"]) == length and sequence["name"].numpy().decode().startswith("got10k/GOT-10k_Train")
    box = sequence["boxes"][0].numpy()
    assert not sequence["absent"][0] and abs(box[0] + (box[2] - 1) / 2 - 127) < 1.0
    assert sequence["absent"].numpy().tolist() == [False, False, False, True]   # frames 0-3 of the track


def test_rerun_skips_finished_shards_and_redoes_missing_ones(got10k_curated):
    settings, manifest, _ = got10k_curated
    out = settings.out
    times = {n: os.path.getmtime(os.path.join(out, n)) for n in os.listdir(out) if n.endswith(".tfrecord")}
    messages = []
    again = curate(dataclasses_replace(settings, workers=1), progress=False, log=messages.append)
    assert "3 chunk(s) already done" in messages[0] and len(messages) == 1      # no estimate: nothing to do
    assert again["pairs"] == manifest["pairs"] and again["sequences"] == manifest["sequences"]
    assert {n: os.path.getmtime(os.path.join(out, n)) for n in times} == times
    # a killed run: chunk 1's pair shard never renamed, a temporary file left behind
    os.remove(os.path.join(out, "pairs-00001-of-00003.tfrecord"))
    with open(os.path.join(out, "pairs-00001-of-00003.tfrecord.tmp"), "wb") as handle:
        handle.write(b"partial")
    messages = []
    resumed = curate(dataclasses_replace(settings, workers=1, stage="pairs"), progress=False, log=messages.append)
    assert "2 chunk(s) already done" in messages[0]
    assert resumed["pairs"]["count"] == manifest["pairs"]["count"]
    assert os.path.exists(os.path.join(out, "pairs-00001-of-00003.tfrecord"))
    assert not os.path.exists(os.path.join(out, "pairs-00001-of-00003.tfrecord.tmp"))
    first = "pairs-00000-of-00003.tfrecord"
    assert os.path.getmtime(os.path.join(out, first)) == times[first]
    # other settings in the same folder are refused
    with pytest.raises(TfLuError, match="other settings.*min_size"):
        curate(dataclasses_replace(settings, min_size=4.0), progress=False, log=None)
    with pytest.raises(TfLuError, match="pairs curated with other settings.*pairs_per_track"):
        curate(dataclasses_replace(settings, pairs_per_track=3), progress=False, log=None)


def dataclasses_replace(settings, **changes):
    import dataclasses
    return dataclasses.replace(settings, **changes)


def test_vid_stages_one_after_the_other_with_filtered_tracks(tmp_path):
    root = write_vid(str(tmp_path / "ILSVRC2015"), tiny_track=True)
    out = str(tmp_path / "vid")
    settings = CurateSettings("vid", root, out, stage="pairs", workers=1, **SMALL)
    manifest = curate(settings, progress=False, log=None)
    assert manifest["stages"] == ["pairs"] and "sequences" not in manifest
    assert manifest["tracks"]["seen"] == 6 and manifest["tracks"]["kept"] == 4
    assert manifest["tracks"]["filtered"] == {"too_small": 2}
    assert sorted(t[0].split("/")[-1] for t in manifest["tracks"]["filtered_tracks"]) == ["2", "2"]
    # track 0: frames 0, 1, 3, 4, 5 visible -> 6 pairs; track 1: frames 1..3 -> 6 pairs; two snippets
    assert manifest["pairs"]["count"] == 24
    manifest = curate(dataclasses_replace(settings, stage="sequences"), progress=False, log=None)
    assert manifest["stages"] == ["pairs", "sequences"] and manifest["pairs"]["count"] == 24
    assert manifest["sequences"]["count"] > 0 and _files(out, "seq-L")


def test_mixed_pairs_train_a_few_steps(got10k_curated, tmp_path):
    import keras
    from tf_lu.data.mixing import mixed_pair_dataset
    from tf_lu.training.extractor import build_training_model
    settings, _, _ = got10k_curated
    root = write_vid(str(tmp_path / "ILSVRC2015"))
    vid_out = str(tmp_path / "vid")
    curate(CurateSettings("vid", root, vid_out, stage="pairs", **SMALL), progress=False, log=None)
    config = _tiny_config()
    dataset = mixed_pair_dataset([f"{settings.out}:0.7", (vid_out, 0.3)], config.train, config.track.total_stride)
    keras.utils.set_random_seed(0)
    model = build_training_model(config)
    history = model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)
    assert np.isfinite(history.history["loss"][-1])
    assert mixed_sequence_files([settings.out]) and sorted(mixed_sequence_files([settings.out])) == \
        sorted(int(b) for b in json.load(open(os.path.join(settings.out, "manifest.json")))["sequences"]["buckets"])


def test_weighted_paths():
    assert parse_weighted_path("records/a") == ("records/a", 1.0)
    assert parse_weighted_path("records/a:0.7") == ("records/a", 0.7)
    assert parse_weighted_path("C:/data/x") == ("C:/data/x", 1.0)
    assert parse_weighted_paths(["a:2", ("b", 1)]) == [("a", 2.0), ("b", 1.0)]
    with pytest.raises(TfLuError, match="positive"):
        parse_weighted_path("a:-1")


def test_command_reports_a_corrupt_annotation(tmp_path, capsys):
    root = write_got10k(str(tmp_path / "GOT-10k"), videos=1)
    with open(os.path.join(root, "train", "GOT-10k_Train_000001", "groundtruth.txt"), "a") as handle:
        handle.write("1,2,3\n")
    code, _, err = run_cli(capsys, "curate", "--dataset", "got10k", "--root", root, "--out", tmp_path / "out",
                           "--quiet")
    assert_user_error(code, err.strip().splitlines()[-1], f"line {FRAMES + 1}: expected 4 values, got 3")
    code, _, err = run_cli(capsys, "curate", "--dataset", "imagenet", "--root", root, "--out", tmp_path / "out")
    assert_user_error(code, err, "unknown dataset 'imagenet'")


def test_command_summarises_what_it_wrote(tmp_path, capsys):
    root = write_got10k(str(tmp_path / "GOT-10k"), videos=1)
    out = tmp_path / "out"
    code, stdout, err = run_cli(capsys, "curate", "--dataset", "got10k", "--root", root, "--out", out, "--quiet",
                                "--unroll", 2, "--max-length", 4, "--max-interval", 1, "--pairs-per-track", 6)
    assert code == 0, err
    lines = stdout.splitlines()
    assert lines[-4:-1] == ["tracks: 1 kept of 1 (filtered: none)", lines[-3], lines[-2]]
    assert lines[-3].startswith("pairs: 6 in 1 file(s), ") and lines[-2].startswith("sequences: ")
    assert lines[-1] == f"manifest: {out}/manifest.json"


# ------------------------------------------------------------------------------------------ pair stage from crops

def _pair_records(folder):
    import tensorflow as tf
    return [tf.train.Example.FromString(r.numpy()) for name in _files(folder, "pairs-")
            for r in tf.data.TFRecordDataset(os.path.join(folder, name))]


def test_crop_pairs_from_frames_crops_and_generated_sequences(tmp_path):
    """The pair stage fed from crop sources: every source is used, the same seed gives the same pairs."""
    from tf_lu.config import DataConfig
    from tf_lu.data.curation import curate_crop_pairs
    from tf_lu.data.pairs import crop_track_from_sequence
    from tf_lu.data.sequences import Sequence, read_otb_dataset
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder
    frames, crops = tmp_path / "frames", tmp_path / "crops"
    for sequence in generate_dataset(2, 2, SyntheticConfig(num_frames=6, height=64, width=80)):
        write_otb_folder(sequence, str(frames / sequence.name))
    track = crop_track_from_sequence(read_otb_dataset(str(frames))[0])
    write_otb_folder(Sequence("crops-a", track.crops, track.boxes), str(crops / "crops-a"))
    config = DataConfig(pairs=7, shards=2, synthetic_sequences=1)
    manifest = curate_crop_pairs(str(tmp_path / "a"), [str(crops)], [str(frames)], config, seed=5, progress=False)
    assert manifest["tracks"] == 4 and manifest["sources"] == {"crops": ["crops"], "frames": ["frames"], "stills": [],
                                                              "synthetic": 1}
    assert _files(tmp_path / "a", "pairs-") == ["pairs-00000-of-00002.tfrecord", "pairs-00001-of-00002.tfrecord"]
    first = _pair_records(tmp_path / "a")
    assert len(first) == 7 and {int(e.features.feature["composite"].int64_list.value[0]) for e in first} <= {0, 1}
    curate_crop_pairs(str(tmp_path / "b"), [str(crops)], [str(frames)], config, seed=5, progress=False)
    assert _pair_records(tmp_path / "b") == first
    with pytest.raises(TfLuError, match="no training sequences"):
        curate_crop_pairs(str(tmp_path / "c"), data_config=DataConfig(pairs=1), progress=False)
