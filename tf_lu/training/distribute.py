"""``tf.distribute`` for both training stages: strategies by name, sharded input, per-replica batches, mixed precision.

``make_strategy("default" | "mirrored" | "multi-worker")`` gives the strategy whose ``scope()`` the trainers build
their variables and optimizer in; Keras' ``fit`` then runs every step on each replica and sums the gradients over the
replicas.  The losses are means over the *global* batch: Keras scales a compiled loss by ``1 / replicas`` (equal
per-replica batches), the meta-trainer divides its per-replica loss sums by the frame count of all replicas
(:func:`global_sum`).

Input:

* pair records (extractor): sharded by file, TensorFlow's own auto-shard (:func:`shard_by_file`): worker k reads files
  k, k + W, ... of the sorted list and every worker's batch is ``global / W``;
* feature chunks (meta-trainer): every replica must step through chunks of the same sequences' bucket in lock-step
  (the truncated-BPTT state is reset on the same steps), so each input pipeline runs the global chunk stream and keeps
  its replicas' rows (:func:`per_replica_rows`, :func:`distribute_rows`).

Batch norm: with more than one replica the batch statistics are those of the global batch
(:func:`synchronize_batch_norm`), so a step on R replicas computes what one device computes on the whole batch.

Precision: :func:`precision_policy` sets Keras' global dtype policy while the models are built (``mixed_float16`` gets
loss scaling from ``compile``); :func:`keep_float32` puts the response adjust and the correlation filter back to
float32, and the losses are computed in float32.
"""
import contextlib
import json
import os

import keras
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.models.cf_layer import CorrelationFilter
from tf_lu.models.correlation import ResponseAdjust

STRATEGIES = ("default", "mirrored", "multi-worker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")
FLOAT32_LAYERS = (ResponseAdjust, CorrelationFilter)


def local_devices():
    """The devices ``mirrored`` spreads over: every GPU, or every (logical) CPU where there is none."""
    return [d.name for d in tf.config.list_logical_devices("GPU") or tf.config.list_logical_devices("CPU")]


def check_tf_config():
    """The parsed ``TF_CONFIG`` of a multi-worker run; a one-line error where it is missing or malformed."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        raise TfLuError("--strategy multi-worker needs TF_CONFIG (cluster worker addresses and this task's index)")
    try:
        config = json.loads(text)
        workers, task = config["cluster"]["worker"], config["task"]
        index = int(task["index"])
    except (ValueError, KeyError, TypeError) as exc:
        raise TfLuError(f"TF_CONFIG is malformed ({exc}); expected "
                        '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": N}}') from None
    if not 0 <= index < len(workers):
        raise TfLuError(f"TF_CONFIG task index {index} is outside the {len(workers)} workers")
    return config


def make_strategy(name="default"):
    """The ``tf.distribute`` strategy called ``name``: ``default`` (one device), ``mirrored`` (all local devices,
    :func:`local_devices`) or ``multi-worker`` (the cluster in ``TF_CONFIG``; create it before anything else runs
    TensorFlow ops in the process)."""
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(local_devices())
    if name == "multi-worker":
        check_tf_config()
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise TfLuError(f"unknown strategy {name!r}; known: {', '.join(STRATEGIES)}")


def is_chief(strategy):
    """True where this process writes the run's files: always, except on the workers of a multi-worker run other
    than worker 0."""
    resolver = getattr(strategy.extended, "_cluster_resolver", None)
    if resolver is None or not resolver.cluster_spec().as_dict():
        return True
    return resolver.task_type in ("chief", None) or (resolver.task_type == "worker" and resolver.task_id == 0)


def output_dir(out_dir, strategy):
    """Where this process writes checkpoints, backups and logs: ``out_dir`` on the chief, ``out_dir/worker-<k>`` on the
    other workers of a multi-worker run (every worker saves the same synchronised weights, each to its own files, and
    resumes from them)."""
    if is_chief(strategy):
        return out_dir
    return os.path.join(out_dir, f"worker-{strategy.extended._cluster_resolver.task_id}")


def replica_batch(global_batch, replicas):
    """The per-replica batch of ``global_batch`` split over ``replicas`` replicas (must divide evenly)."""
    if global_batch % replicas:
        raise TfLuError(f"batch size {global_batch} does not split evenly over {replicas} replicas")
    return global_batch // replicas


def global_sum(value):
    """``value`` summed over the replicas (itself outside a strategy); call it inside a replica's step."""
    return tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.SUM, value)


def shard_by_file(dataset):
    """``dataset`` with TensorFlow's auto-shard set to files: under a multi-worker strategy worker k reads the record
    files k, k + W, ... (there must be at least as many files as workers)."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.FILE
    return dataset.with_options(options)


def per_replica_rows(dataset, input_context, global_batch):
    """The elements of ``dataset`` (tuples of tensors whose leading axis is the global batch, or scalars) cut into the
    per-replica batches of the replicas fed by pipeline ``input_context.input_pipeline_id``, in replica order: one
    element per local replica and global element.  Scalars are given to every replica.  Booleans become int32: Keras
    averages a first batch over the replicas when it builds a model under a strategy, which booleans cannot take."""
    local = input_context.num_replicas_in_sync // input_context.num_input_pipelines
    rows = replica_batch(global_batch, input_context.num_replicas_in_sync)
    first = input_context.input_pipeline_id * local * rows

    def split(*tensors):
        tensors = [tf.cast(t, tf.int32) if t.dtype == tf.bool else t for t in tensors]
        parts = tuple(tf.fill([local], t) if t.shape.rank == 0 else
                      tf.reshape(t[first:first + local * rows], tf.concat([[local, rows], tf.shape(t)[1:]], 0))
                      for t in tensors)
        return tf.data.Dataset.from_tensor_slices(parts)
    return dataset.flat_map(split)


def distribute_rows(strategy, make_dataset, global_batch):
    """A distributed dataset whose replicas each get their rows of the global batches of ``make_dataset()`` (every
    input pipeline builds the same global stream, so every replica sees the same sequence of element kinds).

    On one machine every replica has its own pipeline (``PER_REPLICA``): a pipeline shared by several local devices
    hands its elements to whichever device asks first, so a replica's rows could change from run to run (and a
    carried state could meet another replica's sequences)."""
    def per_pipeline(input_context):
        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.OFF
        return per_replica_rows(make_dataset().with_options(options), input_context, global_batch)
    if strategy.num_replicas_in_sync == 1:
        return make_dataset()
    mode = (tf.distribute.InputReplicationMode.PER_REPLICA if isinstance(strategy, tf.distribute.MirroredStrategy)
            else tf.distribute.InputReplicationMode.PER_WORKER)
    return strategy.distribute_datasets_from_function(
        per_pipeline, tf.distribute.InputOptions(experimental_replication_mode=mode))


@contextlib.contextmanager
def fitting_scope(model, strategy):
    """The block that runs ``model.fit`` under ``strategy``.

    Under a strategy Keras 3's ``fit`` first builds the model from a batch of an iterator it then drops.  That
    iterator has prefetched a varying number of elements, and the shuffles of a repeated stream draw their orders from
    a seed they share, so the stream training then reads would change from run to run (and a resumed run would not
    continue the one it resumes); under a multi-worker strategy that step fails outright, as does averaging each
    step's scalar logs "over axis 0" (keras-team/keras#20585, open).  The models here are built before ``fit``: their
    optimizer is built now and the model is left without a recorded strategy, so ``fit`` skips that step and finds the
    strategy from this scope; under a multi-worker strategy the steps' logs get one axis of length 1."""
    with strategy.scope():
        if strategy.num_replicas_in_sync > 1:
            model.optimizer.build(model.trainable_variables)
            model._distribute_strategy = None
        if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            model.train_step, model.test_step = _with_vector_logs(model.train_step), _with_vector_logs(model.test_step)
        yield


def _with_vector_logs(step):
    def vector_logs(data):
        return {name: tf.reshape(value, [1]) for name, value in step(data).items()}
    return vector_logs


def synchronize_batch_norm(model, strategy=None):
    """Make every BatchNormalization layer of ``model`` use the global batch's statistics when the strategy has more
    than one replica (one device computes exactly that).  Returns the number of layers changed."""
    if (strategy or tf.distribute.get_strategy()).num_replicas_in_sync == 1:
        return 0
    layers = [layer for layer in model._flatten_layers() if isinstance(layer, keras.layers.BatchNormalization)]
    for layer in layers:
        layer.synchronized = True
    return len(layers)


def check_precision(name):
    if name not in PRECISIONS:
        raise TfLuError(f"unknown precision {name!r}; known: {', '.join(PRECISIONS)}")
    return name


@contextlib.contextmanager
def precision_policy(name="float32"):
    """Keras' global dtype policy ``name`` while the block runs (models built inside compute in it), restored after."""
    previous = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy(check_precision(name))
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(previous)


def keep_float32(model):
    """Put the response adjust and correlation-filter layers of ``model`` in float32 (their inputs are cast up), so
    the responses the losses see are float32 under a mixed policy.  Returns the layers changed."""
    layers = [layer for layer in model._flatten_layers() if isinstance(layer, FLOAT32_LAYERS)]
    for layer in layers:
        layer.dtype_policy = "float32"
    return layers
