"""Exact resume of both training stages after ``kill -9``, a finished run never redone, ``--steps`` meaning steps.

Each kill test trains in a child process that is sent SIGKILL once it has written a checkpoint part-way through an
epoch, reruns the same training to the end, and compares the final weights with those of an uninterrupted run with
the same seed: bitwise (TensorFlow's op determinism is on in training, and the input stream is advanced by the steps
already taken).
"""
import json
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np
import pytest

from tf_lu.config import load_config
from tf_lu.errors import TfLuError

CHILD = r'''
import json, sys, time
import keras
from tf_lu.config import load_config
stage, data, out, steps, delay = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])

class Slow(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        time.sleep(delay)

if stage == "extractor":
    from tf_lu.training.extractor import train_extractor
    config = load_config(overrides={"backbone": {"width": 0.25}, "train": {
        "batch_size": 2, "steps": steps, "steps_per_epoch": 4, "lr_start": 1e-3, "lr_end": 1e-4}})
    summary = train_extractor(config, data, out, verbose=0, extra_callbacks=[Slow()])
else:
    from tf_lu.models.siamfc import SiamFCNet
    from tf_lu.training.meta import train_updater
    keras.utils.set_random_seed(5)
    network = SiamFCNet(0.25, gain=0.05).build_for()
    config = load_config(overrides={"updater": {"kind": "learned", "learned": {"hidden": 6, "layers": 2}},
                                    "meta": {"unroll": 5, "batch_size": 2, "steps": steps, "steps_per_epoch": 4}})
    summary = train_updater(config, network, data, out, verbose=0, extra_callbacks=[Slow()])
print(json.dumps({k: v for k, v in summary.items() if k != "history"}))
'''

FINAL = {"extractor": "model.weights.h5", "updater": "updater.weights.h5"}


def run_child(stage, data, out, steps, delay=0.0):
    result = subprocess.run([sys.executable, "-c", CHILD, stage, data, out, str(steps), str(delay)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def checkpoint_step(out):
    try:
        with open(os.path.join(out, "backup", "state.json")) as handle:
            return json.load(handle)["step"]
    except (OSError, ValueError):
        return 0


def kill_after_checkpoint(stage, data, out, steps, at_step):
    """Start training in a child and SIGKILL it once its checkpoint has reached ``at_step`` steps."""
    child = subprocess.Popen([sys.executable, "-c", CHILD, stage, data, out, str(steps), "0.3"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 300
    while checkpoint_step(out) < at_step and child.poll() is None and time.time() < deadline:
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, child.stderr.read().decode()[-3000:]


def weights(path):
    arrays = {}
    with h5py.File(path, "r") as handle:
        handle.visititems(lambda name, item: arrays.__setitem__(name, item[()]) if isinstance(item, h5py.Dataset)
                          else None)
    return arrays


def assert_same_weights(a, b):
    wa, wb = weights(a), weights(b)
    assert sorted(wa) == sorted(wb) and wa
    for name in wa:
        np.testing.assert_array_equal(wa[name], wb[name], err_msg=name)


@pytest.fixture(scope="module")
def pair_records(tmp_path_factory):
    from tf_lu.data.curation import pair_stream
    from tf_lu.data.pairs import crop_track_from_sequence
    from tf_lu.data.records import write_pair_records
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
    sequences = generate_dataset(3, 2, SyntheticConfig(num_frames=12, height=120, width=160))
    stream = pair_stream([crop_track_from_sequence(s) for s in sequences], [], np.random.default_rng(1),
                         composite_fraction=0.0)
    folder = str(tmp_path_factory.mktemp("resume") / "pairs")
    write_pair_records(stream, folder, count=24, shards=2, progress=False)
    return folder


@pytest.fixture(scope="module")
def feature_records(tmp_path_factory):
    import keras
    from tf_lu.data.pairs import crop_track_from_sequence
    from tf_lu.data.records import sequence_file_name, write_sequence_shard
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
    from tf_lu.models.siamfc import SiamFCNet
    from tf_lu.training.feature_cache import cache_features
    root = tmp_path_factory.mktemp("resume_features")
    items = []
    for sequence in generate_dataset(11, 4, SyntheticConfig(num_frames=10, height=120, width=160)):
        track = crop_track_from_sequence(sequence)
        items.append((track.name, track.crops[:10], track.boxes[:10]))
    os.makedirs(root / "seq")
    write_sequence_shard(str(root / "seq" / sequence_file_name(10, 0)), items)
    keras.utils.set_random_seed(5)
    cache_features(str(root / "seq"), str(root / "feat"), SiamFCNet(0.25, gain=0.05).build_for().backbone,
                   progress=False)
    return str(root / "feat")


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["extractor", "updater"])
def test_kill_9_mid_epoch_then_rerun_gives_the_uninterrupted_weights(stage, pair_records, feature_records, tmp_path):
    data = pair_records if stage == "extractor" else feature_records
    reference = str(tmp_path / "reference")
    assert run_child(stage, data, reference, 10)["steps"] == 10
    killed = str(tmp_path / "killed")
    kill_after_checkpoint(stage, data, killed, 10, at_step=5)     # epochs of 4 steps: step 5 is mid-epoch
    resumed_at = checkpoint_step(killed)
    assert 5 <= resumed_at < 10 and not os.path.exists(os.path.join(killed, FINAL[stage]))
    summary = run_child(stage, data, killed, 10)
    assert summary["steps"] == 10 and summary["steps_this_run"] == 10 - resumed_at
    assert_same_weights(os.path.join(reference, FINAL[stage]), os.path.join(killed, FINAL[stage]))


def tiny_extractor_config(steps, steps_per_epoch=2):
    return load_config(overrides={"backbone": {"width": 0.25}, "train": {
        "batch_size": 2, "steps": steps, "steps_per_epoch": steps_per_epoch, "lr_start": 1e-3, "lr_end": 1e-4}})


@pytest.mark.slow
def test_steps_are_steps_and_a_finished_run_is_reported_not_redone(pair_records, tmp_path):
    from tf_lu.training.extractor import train_extractor
    out = str(tmp_path / "run")
    summary = train_extractor(tiny_extractor_config(3), pair_records, out, verbose=0)
    assert summary["steps"] == 3 and summary["steps_this_run"] == 3 and checkpoint_step(out) == 3   # not 4
    final = os.path.join(out, "model.weights.h5")
    before = (os.stat(final).st_mtime_ns, open(final, "rb").read())
    again = train_extractor(tiny_extractor_config(3), pair_records, out, verbose=0)
    assert again["complete"] and "already holds a finished run of 3 steps" in again["message"]
    assert (os.stat(final).st_mtime_ns, open(final, "rb").read()) == before      # the weights are not touched
    longer = train_extractor(tiny_extractor_config(4), pair_records, out, verbose=0)
    assert longer["steps"] == 4 and longer["steps_this_run"] == 1 and checkpoint_step(out) == 4
    with pytest.raises(TfLuError, match="past the 2 steps asked"):
        os.remove(final)                              # a run killed after its last checkpoint, asked for fewer steps
        train_extractor(tiny_extractor_config(2), pair_records, out, verbose=0)
    with pytest.raises(TfLuError, match="other settings"):
        train_extractor(load_config(overrides={"backbone": {"width": 0.5}, "train": {"steps": 5}}), pair_records,
                        out, verbose=0)


def test_finished_weights_without_a_checkpoint_are_never_trained_over(pair_records, tmp_path):
    from tf_lu.training.extractor import train_extractor
    out = tmp_path / "old"
    out.mkdir()
    (out / "model.weights.h5").write_bytes(b"weights of a run written without checkpoints")
    (out / "train_summary.json").write_text(json.dumps({"steps": 3}))
    assert train_extractor(tiny_extractor_config(3), pair_records, str(out), verbose=0)["complete"]
    with pytest.raises(TfLuError, match="no checkpoint to continue"):
        train_extractor(tiny_extractor_config(5), pair_records, str(out), verbose=0)
    assert (out / "model.weights.h5").read_bytes() == b"weights of a run written without checkpoints"


def test_output_and_input_folders_are_checked(pair_records, tmp_path):
    from tf_lu.training.extractor import train_extractor
    from tf_lu.training.meta import train_updater
    (tmp_path / "file").write_text("x")
    with pytest.raises(TfLuError, match="exists and is not a folder"):
        train_extractor(tiny_extractor_config(1), pair_records, str(tmp_path / "file"), verbose=0)
    config = load_config(overrides={"updater": {"kind": "learned"}})
    with pytest.raises(TfLuError, match="features folder not found"):
        train_updater(config, None, str(tmp_path / "no-features"), str(tmp_path / "run"), verbose=0)
    with pytest.raises(TfLuError, match="steps_per_epoch|steps"):
        tiny_extractor_config(0)


def corrupt_copy(folder, destination, how):
    """A copy of the records ``folder`` whose first shard is truncated, replaced by random bytes, or has one byte
    flipped inside a record's data."""
    import shutil
    shutil.copytree(folder, destination)
    shard = sorted(p for p in os.listdir(destination) if p.endswith(".tfrecord"))[0]
    path = os.path.join(destination, shard)
    data = bytearray(open(path, "rb").read())
    if how == "truncated":
        data = data[:len(data) * 2 // 3]
    elif how == "random":
        data = bytearray(np.random.default_rng(0).integers(0, 256, len(data), dtype=np.uint8).tobytes())
    else:
        data[len(data) // 2] ^= 0x40
    open(path, "wb").write(bytes(data))
    return path


@pytest.mark.parametrize("how", ["truncated", "random", "flipped"])
def test_a_corrupt_shard_is_an_error_naming_it(pair_records, tmp_path, how):
    from tf_lu.data.shard_check import verify_folder
    shard = corrupt_copy(pair_records, str(tmp_path / "pairs"), how)
    with pytest.raises(TfLuError) as info:
        verify_folder(str(tmp_path / "pairs"))
    assert shard in str(info.value) and "\n" not in str(info.value)


def test_a_missing_shard_is_caught_by_the_manifest(pair_records, tmp_path):
    import shutil
    from tf_lu.data.shard_check import verify_folder
    shutil.copytree(pair_records, tmp_path / "pairs")
    os.remove(sorted((tmp_path / "pairs").glob("*.tfrecord"))[0])
    with pytest.raises(TfLuError, match="missing record shard .*listed in manifest.json"):
        verify_folder(str(tmp_path / "pairs"))


def test_a_shard_cut_at_a_record_boundary_is_caught_by_the_manifest(pair_records, tmp_path):
    import shutil
    import tensorflow as tf
    from tf_lu.data.shard_check import verify_folder, verify_shards
    shutil.copytree(pair_records, tmp_path / "pairs")
    shard = str(sorted((tmp_path / "pairs").glob("*.tfrecord"))[0])
    records = [r.numpy() for r in tf.data.TFRecordDataset(shard)]
    with tf.io.TFRecordWriter(shard) as writer:          # every CRC of the shorter shard is right
        for record in records[:-2]:
            writer.write(record)
    assert verify_shards([shard]) == {shard: len(records) - 2}
    with pytest.raises(TfLuError, match="bytes, the manifest says"):
        verify_folder(str(tmp_path / "pairs"))


def test_feature_shards_are_listed_and_checked(feature_records, tmp_path):
    import shutil
    from tf_lu.data.shard_check import verify_folder
    meta = json.load(open(os.path.join(feature_records, "feature_meta.json")))
    assert meta["shape"] and sum(entry["records"] for entry in meta["shard_files"].values()) == 4
    assert sum(verify_folder(feature_records, "features").values()) == 4
    shutil.copytree(feature_records, tmp_path / "feat")
    shard = sorted((tmp_path / "feat").glob("*.tfrecord"))[0]
    shard.write_bytes(b"")
    with pytest.raises(TfLuError, match=f"corrupt record shard {shard}: 0 bytes"):
        verify_folder(str(tmp_path / "feat"), "features")


@pytest.mark.slow
def test_skipping_unreadable_records_trains_and_counts_them(pair_records, tmp_path):
    from tf_lu.training.extractor import train_extractor
    corrupt_copy(pair_records, str(tmp_path / "pairs"), "flipped")
    with pytest.raises(TfLuError, match="corrupt record shard"):
        train_extractor(tiny_extractor_config(2), str(tmp_path / "pairs"), str(tmp_path / "strict"), verbose=0)
    summary = train_extractor(tiny_extractor_config(2), str(tmp_path / "pairs"), str(tmp_path / "run"), verbose=0,
                              skip_unreadable=True)
    skipped = summary["skipped_records"]
    assert 1 <= skipped["records"] <= 12 and skipped["shards"] == [os.path.join(str(tmp_path / "pairs"),
                                                                                 "pairs-00000-of-00002.tfrecord")]
    assert os.path.isfile(os.path.join(str(tmp_path / "run"), "model.weights.h5"))


KILLED_BENCHMARK = r'''
import sys, time
from tf_lu.data.sequences import read_otb_dataset
from tf_lu.evaluation.benchmark import run_benchmark
from tf_lu.tracking.peers import OpenCVTracker

class Slow:
    def __init__(self, name):
        self.tracker = OpenCVTracker(name.split("-")[1])
    def init(self, image, box):
        return self.tracker.init(image, box)
    def update(self, image):
        time.sleep(float(sys.argv[3]))
        return self.tracker.update(image)

run_benchmark(["opencv-kcf", "opencv-csrt"], read_otb_dataset(sys.argv[1]), sys.argv[2], build=Slow, progress=False)
'''


def without_fps(value):
    if isinstance(value, dict):
        return {k: without_fps(v) for k, v in value.items() if k != "fps"}
    return value


@pytest.mark.slow
def test_a_killed_benchmark_rerun_skips_finished_runs_and_gives_the_same_summary(tmp_path):
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder
    for sequence in generate_dataset(4, 4, SyntheticConfig(num_frames=8, height=96, width=128)):
        write_otb_folder(sequence, str(tmp_path / "data" / sequence.name))
    data, killed, reference = str(tmp_path / "data"), str(tmp_path / "killed"), str(tmp_path / "reference")
    subprocess.run([sys.executable, "-c", KILLED_BENCHMARK, data, reference, "0"], check=True, timeout=300)
    child = subprocess.Popen([sys.executable, "-c", KILLED_BENCHMARK, data, killed, "0.1"])
    first = os.path.join(killed, "results", "opencv-csrt", "synthetic-0001.txt")
    deadline = time.time() + 300
    while not os.path.exists(first) and child.poll() is None and time.time() < deadline:
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL and not os.path.exists(os.path.join(killed, "summary.json"))
    leftovers = [n for _, _, names in os.walk(killed) for n in names if n.endswith(".tmp")]
    finished = {n: os.stat(os.path.join(killed, "results", "opencv-kcf", n)).st_mtime_ns
                for n in os.listdir(os.path.join(killed, "results", "opencv-kcf"))}
    subprocess.run([sys.executable, "-c", KILLED_BENCHMARK, data, killed, "0"], check=True, timeout=300)
    for name, stamp in finished.items():
        if not name.endswith(".tmp"):                  # finished runs are kept as they were, not run again
            assert os.stat(os.path.join(killed, "results", "opencv-kcf", name)).st_mtime_ns == stamp
    assert "synthetic-0000.txt" in finished and len(leftovers) <= 1
    with open(os.path.join(killed, "summary.json")) as a, open(os.path.join(reference, "summary.json")) as b:
        assert without_fps(json.load(a)) == without_fps(json.load(b))
