"""Both training stages under ``tf.distribute``: two logical CPU devices (mirrored) and two worker processes on
localhost (multi-worker) reach the weights of the same steps on one device; a few steps in mixed_bfloat16.

Logical devices must be configured before TensorFlow initialises its devices, and a multi-worker strategy before any
TensorFlow op runs, so every training run here is a child process (this file run as a script).

The generated data make every global batch the same set of examples on one device and on many: 2 pair files of 2
pairs each with a global batch of 4 (worker k reads file k, 2 pairs a step), 4 feature sequences with a batch of 4.
Within a global batch the order of the examples differs between the runs, which changes only the order of float
sums: the weights agree within ``ATOL`` (float32, 3-4 AdamW steps of learning rate 1e-3).  Left out of the comparison:
the biases of the convolutions followed by batch norm (conv1-conv4), whose exact gradient is zero (batch norm subtracts
the mean) so that AdamW turns float rounding noise into steps of the learning rate's size in every run.

The order of those sums also depends on the CPU's kernels (oneDNN, which TensorFlow turns on for CPUs with AVX-512,
picks per batch size).  The gradient of a kernel followed by batch norm is a difference of nearly equal sums over the
layer's fan-in, so where it is near zero its sign can follow the rounding, and AdamW, which divides by the gradient's
own size, then moves the weight by up to the learning rate either way.  Such weights are few: at most
``NOISY_SHARE`` of the compared weights may differ by more than ``ATOL``, and none by more than AdamW's largest move
over the steps taken (``steps x lr``).  A run that trained on other examples, or did not combine the replicas'
gradients, moves most weights apart by the learning rate's size.
"""
import json
import os
import re
import socket
import subprocess
import sys

import numpy as np
import pytest

ATOL = 2e-5
NOISY_SHARE = 0.02
NOISE_ONLY = re.compile(r"conv[1-4]/(group[0-9]+/)?bias")
EXTRACTOR = {"backbone": {"width": 0.1},
             "train": {"exemplar_size": 87, "instance_size": 127, "batch_size": 4, "steps": 3, "steps_per_epoch": 3,
                       "stretch": 0.0, "shift": 0, "flip": False, "colour": 0.0, "lr_start": 1e-3, "lr_end": 1e-4}}
UPDATER = {"backbone": {"width": 0.1},
           "updater": {"kind": "learned", "learned": {"hidden": 4, "layers": 1}},
           "meta": {"batch_size": 4, "unroll": 3, "steps": 4, "steps_per_epoch": 2, "lr": 1e-3}}
FEATURE_SIZE, FEATURE_CHANNELS, SEQUENCE_LENGTH = 8, 26, 6
LARGEST_MOVE = max(EXTRACTOR["train"]["steps"] * EXTRACTOR["train"]["lr_start"],
                   UPDATER["meta"]["steps"] * UPDATER["meta"]["lr"])


def write_pairs(folder, files=2, per_file=2, seed=0):
    import tensorflow as tf
    from tf_lu.data.records.common import pair_shard_name
    from tf_lu.data.records.pairs import pair_example
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for shard in range(files):
        with tf.io.TFRecordWriter(os.path.join(folder, pair_shard_name(shard, files))) as writer:
            for _ in range(per_file):
                writer.write(pair_example(rng.integers(0, 255, (96, 96, 3), np.uint8),
                                          rng.integers(0, 255, (136, 136, 3), np.uint8), "generated", 0))
    return folder


def write_features(folder, sequences=4, seed=0):
    import tensorflow as tf
    from tf_lu.data.records.features import feature_example, write_feature_meta
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    with tf.io.TFRecordWriter(os.path.join(folder, f"feat-L{SEQUENCE_LENGTH:03d}-00000-gen.tfrecord")) as writer:
        for index in range(sequences):
            features = rng.normal(0, 1, (SEQUENCE_LENGTH, FEATURE_SIZE, FEATURE_SIZE, FEATURE_CHANNELS))
            absent = np.zeros(SEQUENCE_LENGTH, np.int64)
            absent[3] = index % 2          # an absent frame in half the sequences
            writer.write(feature_example(f"seq{index}".encode(), features, absent))
    write_feature_meta(folder, {"shape": [FEATURE_SIZE, FEATURE_SIZE, FEATURE_CHANNELS], "dtype": "float16"})
    return folder


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def child_env(tf_config=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    env.pop("TF_CONFIG", None)
    if tf_config:
        env["TF_CONFIG"] = json.dumps(tf_config)
    return env


def launch(stage, data, out, strategy="default", cpus=1, precision="float32", tf_config=None, steps=0):
    args = [sys.executable, os.path.abspath(__file__), stage, data, out, strategy, str(cpus), precision, str(steps)]
    return subprocess.Popen(args, env=child_env(tf_config), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def finish(process, timeout=300):
    output, _ = process.communicate(timeout=timeout)
    assert process.returncode == 0, output[-4000:]
    return output


def run_child(*args, **kwargs):
    finish(launch(*args, **kwargs))


def weights(out):
    """``{variable path: value}`` saved by the child in ``out``."""
    with np.load(os.path.join(out, "weights.npz")) as data:
        return {k: data[k] for k in data.files}


def assert_same_weights(got, expected):
    """The weights agree within ``ATOL`` but for at most ``NOISY_SHARE`` of them, which agree within
    ``LARGEST_MOVE`` (AdamW's largest move: the steps taken times the learning rate; see the module docstring)."""
    assert sorted(got) == sorted(expected)
    compared = [k for k in expected if not NOISE_ONLY.search(k)]
    differences = np.concatenate([np.abs(got[k] - expected[k]).ravel() for k in compared])
    worst, where = max((float(np.max(np.abs(got[k] - expected[k]))), k) for k in compared)
    share = float(np.mean(differences > ATOL))
    assert share <= NOISY_SHARE, f"{share:.2%} of the weights differ by more than {ATOL} (largest {worst:.3g} in {where})"
    assert worst <= LARGEST_MOVE, f"largest weight difference {worst:.3g} > {LARGEST_MOVE} in {where}"


def run_workers(stage, data, out):
    """Two worker processes on localhost ports; returns the chief's and the other worker's output folders."""
    ports = free_ports(2)
    cluster = {"worker": [f"127.0.0.1:{p}" for p in ports]}
    processes = [launch(stage, data, out, "multi-worker", tf_config={"cluster": cluster,
                                                                      "task": {"type": "worker", "index": k}})
                 for k in range(2)]
    for process in processes:
        finish(process)
    return out, os.path.join(out, "worker-1")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    root = tmp_path_factory.mktemp("distribute")
    return {"extractor": write_pairs(str(root / "pairs")), "updater": write_features(str(root / "features")),
            "root": root}


@pytest.fixture(scope="module")
def single(generated):
    """Each stage on one device: the reference weights."""
    outs = {}
    for stage in ("extractor", "updater"):
        outs[stage] = str(generated["root"] / f"{stage}-single")
        run_child(stage, generated[stage], outs[stage])
    return {stage: weights(out) for stage, out in outs.items()}


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["extractor", "updater"])
def test_mirrored_on_two_logical_cpus_matches_one_device(generated, single, stage):
    out = str(generated["root"] / f"{stage}-mirrored")
    run_child(stage, generated[stage], out, "mirrored", cpus=2)
    with open(os.path.join(out, "replicas.txt"), encoding="utf-8") as handle:
        assert handle.read().strip() == "2"
    assert_same_weights(weights(out), single[stage])


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["extractor", "updater"])
def test_two_workers_on_localhost_match_one_process(generated, single, stage):
    chief, other = run_workers(stage, generated[stage], str(generated["root"] / f"{stage}-workers"))
    assert_same_weights(weights(chief), single[stage])
    assert_same_weights(weights(other), weights(chief))
    assert os.path.exists(os.path.join(chief, "backup")) or os.path.exists(os.path.join(chief, "history.csv"))


@pytest.mark.slow
def test_mirrored_updater_resumes_mid_sequence_exactly(generated, single):
    """One step (the carried state is mid-sequence on both replicas), then a rerun to the configured four."""
    out = str(generated["root"] / "updater-mirrored-resumed")
    run_child("updater", generated["updater"], out, "mirrored", cpus=2, steps=1)
    run_child("updater", generated["updater"], out, "mirrored", cpus=2)
    with open(os.path.join(out, "train_summary.json"), encoding="utf-8") as handle:
        assert json.load(handle)["steps_this_run"] == 3
    assert_same_weights(weights(out), single["updater"])


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["extractor", "updater"])
def test_mixed_bfloat16_trains_a_few_steps(generated, single, stage):
    out = str(generated["root"] / f"{stage}-bf16")
    run_child(stage, generated[stage], out, precision="mixed_bfloat16")
    got = weights(out)
    assert all(w.dtype == np.float32 and np.all(np.isfinite(w)) for w in got.values())
    with open(os.path.join(out, "train_summary.json"), encoding="utf-8") as handle:
        summary = json.load(handle)
    loss = summary.get("final_loss") or summary["history"]["loss"][-1]
    assert np.isfinite(loss)
    # bfloat16 keeps 8 significant bits: the weights move like float32's, not equal to them
    assert max(float(np.max(np.abs(got[k] - single[stage][k]))) for k in got) < 0.05


def test_unknown_strategy_and_precision_are_one_line_errors():
    from tf_lu.errors import TfLuError
    from tf_lu.training.distribute import check_precision, make_strategy
    with pytest.raises(TfLuError, match="unknown strategy 'ring'"):
        make_strategy("ring")
    with pytest.raises(TfLuError, match="unknown precision 'float8'"):
        check_precision("float8")


def test_command_line_choices_are_the_known_strategies_and_precisions():
    from tf_lu.cli import distribution
    from tf_lu.training import distribute
    assert distribution.STRATEGIES == distribute.STRATEGIES
    assert distribution.PRECISIONS == distribute.PRECISIONS


def test_multi_worker_needs_a_valid_tf_config(monkeypatch):
    from tf_lu.errors import TfLuError
    from tf_lu.training.distribute import check_tf_config
    monkeypatch.delenv("TF_CONFIG", raising=False)
    with pytest.raises(TfLuError, match="needs TF_CONFIG"):
        check_tf_config()
    monkeypatch.setenv("TF_CONFIG", '{"cluster": {"worker": ["a:1"]}, "task": {"type": "worker", "index": 3}}')
    with pytest.raises(TfLuError, match="index 3 is outside the 1 workers"):
        check_tf_config()
    monkeypatch.setenv("TF_CONFIG", "{not json")
    with pytest.raises(TfLuError, match="TF_CONFIG is malformed"):
        check_tf_config()


def test_replica_batch_must_split_evenly():
    from tf_lu.errors import TfLuError
    from tf_lu.training.distribute import replica_batch
    assert replica_batch(8, 4) == 2
    with pytest.raises(TfLuError, match="batch size 6 does not split evenly over 4 replicas"):
        replica_batch(6, 4)


def test_per_replica_rows_cut_the_global_batch_in_replica_order():
    import tensorflow as tf
    from tf_lu.training.distribute import per_replica_rows
    rows = tf.reshape(tf.range(8 * 2), (8, 2))
    dataset = tf.data.Dataset.from_tensors((rows, tf.constant(True)))
    context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1, num_replicas_in_sync=4)
    parts = list(per_replica_rows(dataset, context, 8))
    assert [p[0].numpy()[:, 0].tolist() for p in parts] == [[8, 10], [12, 14]]
    assert [bool(p[1]) for p in parts] == [True, True]


@pytest.mark.parametrize("precision, compute, scaled", [("mixed_bfloat16", "bfloat16", False),
                                                        ("mixed_float16", "float16", True)])
def test_precision_policy_keeps_the_response_in_float32(precision, compute, scaled):
    import keras
    import tensorflow as tf
    from tf_lu.config import load_config
    from tf_lu.training.extractor import build_distributed_model
    model = build_distributed_model(load_config(None, EXTRACTOR), tf.distribute.get_strategy(), precision)
    assert keras.mixed_precision.global_policy().name == "float32"       # restored after the build
    assert model.backbone.get_layer("conv1").compute_dtype == compute
    assert model.adjust.compute_dtype == "float32"
    assert all(w.dtype == "float32" for w in model.weights)
    assert isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer) == scaled
    exemplar, search = np.zeros((1, 87, 87, 3), "float32"), np.zeros((1, 127, 127, 3), "float32")
    assert model((exemplar, search)).dtype == "float32"


# --- the child process: one training run ---------------------------------------------------------------------------

def child(stage, data, out, strategy_name, cpus, precision, steps=0):
    import tensorflow as tf
    if cpus > 1:
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * cpus)
    from tf_lu.training.distribute import make_strategy, output_dir
    strategy = make_strategy(strategy_name)
    from tf_lu.config import load_config
    if stage == "extractor":
        from tf_lu.training.extractor import train_extractor
        train_extractor(load_config(None, EXTRACTOR), data, out, verbose=0, strategy=strategy, precision=precision)
        from tf_lu.models.siamfc import SiamFCNet
        net = SiamFCNet(0.1).build_for(87, 127)
        net.load_weights(os.path.join(output_dir(out, strategy), "model.weights.h5"))
    else:
        from tf_lu.models.siamfc import SiamFCNet
        from tf_lu.training.meta import train_updater
        network = SiamFCNet(0.1).build_for(87, 127)
        overrides = {**UPDATER, "meta": {**UPDATER["meta"], "steps": steps or UPDATER["meta"]["steps"]}}
        train_updater(load_config(None, overrides), network, data, out, verbose=0, strategy=strategy,
                      precision=precision)
        from tf_lu.updaters.network import UpdaterNet
        config = load_config(None, UPDATER).updater.learned
        net = UpdaterNet(FEATURE_CHANNELS, config.hidden, config.layers, config.cell, config.dropout,
                         config.layer_norm, config.residual, config.confidence_input, config.norm_to_first)
        net.build_for(1)
        net.load_weights(os.path.join(output_dir(out, strategy), "updater.weights.h5"))
    target = output_dir(out, strategy)
    np.savez(os.path.join(target, "weights.npz"), **{w.path: w.numpy() for w in net.weights})
    with open(os.path.join(target, "replicas.txt"), "w", encoding="utf-8") as handle:
        handle.write(str(strategy.num_replicas_in_sync))


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6], int((sys.argv[7:] or [0])[0]))
