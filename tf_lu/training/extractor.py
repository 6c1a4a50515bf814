"""Train the base tracker's feature extractor with ``model.fit`` on pair records: SiamFC or CFNet, as
``config.backbone.kind`` says.

Checkpoints every few steps and resumes exactly after a kill (:mod:`tf_lu.training.fitting`), TensorBoard logs,
Keras' progress bar.
The result is ``<out>/model.weights.h5`` plus ``<out>/config.yaml`` describing the network.
On several devices or workers (``strategy``, :mod:`tf_lu.training.distribute`) the model and optimizer are built in the
strategy's scope, the pair records are sharded by file and the batch statistics are the global batch's; ``precision``
picks Keras' dtype policy (the response adjust, the correlation filter and the loss stay float32).
"""
import os

import keras
import tensorflow as tf
import yaml

from tf_lu.atomic_files import write_json_atomic
from tf_lu.config import to_dict
from tf_lu.errors import TfLuError
from tf_lu.models.weights import load_weights_strictly
from tf_lu.models.losses import balanced_logistic_per_sample
from tf_lu.data.mixing import mixed_pair_dataset
from tf_lu.data.shard_check import checked_records
from tf_lu.models.crop_sizes import feature_sides
from tf_lu.models.networks import build_network
from tf_lu.training.distribute import (fitting_scope, keep_float32, output_dir, precision_policy, shard_by_file,
                                       synchronize_batch_norm)
from tf_lu.training.fitting import SUMMARY_FILE, completed_run, fit_resumable, save_weights_atomic


def exponential_schedule(lr_start, lr_end, steps):
    """Learning rate decaying exponentially from ``lr_start`` to ``lr_end`` over ``steps`` steps."""
    rate = (lr_end / lr_start)
    return keras.optimizers.schedules.ExponentialDecay(lr_start, decay_steps=max(1, steps), decay_rate=rate)


def _start_from(model, path):
    """Load the network weights at ``path`` (``train.init_weights``) into the fresh training model."""
    if not os.path.isfile(path):
        raise TfLuError(f"train.init_weights: no such file {path}")
    try:
        load_weights_strictly(model, path)
    except ValueError as exc:
        raise TfLuError(f"train.init_weights {path} does not fit this network: {exc}") from None


def build_training_model(config):
    cfg = config.train
    model = build_network(config)
    feature_sides(model.backbone, cfg.exemplar_size, cfg.instance_size, "train")
    model.build_for(cfg.exemplar_size, cfg.instance_size)
    if cfg.init_weights:
        _start_from(model, cfg.init_weights)
    optimizer = keras.optimizers.AdamW(exponential_schedule(cfg.lr_start, cfg.lr_end, cfg.steps),
                                       weight_decay=cfg.weight_decay)
    # per-sample values: Keras averages them and, under a strategy, scales by 1 / replicas (a scalar loss it would not)
    model.compile(optimizer=optimizer, loss=balanced_logistic_per_sample)
    return model


def export_weights(model, config, path):
    """Save the network's weights alone (no optimizer state) for the tracker."""
    clean = build_network(config).build_for(config.train.exemplar_size, config.train.instance_size)
    clean.set_weights(model.get_weights())
    save_weights_atomic(clean, path)


def build_distributed_model(config, strategy, precision="float32"):
    """:func:`build_training_model` in ``strategy``'s scope under the dtype policy ``precision``."""
    with precision_policy(precision), strategy.scope():
        model = build_training_model(config)
        keep_float32(model)
        synchronize_batch_norm(model, strategy)
    return model


def train_extractor(config, records, out_dir, verbose=1, extra_callbacks=(), strategy=None, precision="float32",
                    skip_unreadable=False):
    """Train on pair records into ``out_dir`` for exactly ``config.train.steps`` steps; resumable (rerun the same
    call), and a finished run is reported, not redone.  ``records`` is a folder, or a list of ``(folder, weight)`` to
    mix curated sets; every shard is checked first (:mod:`tf_lu.data.shard_check`): a corrupt one is a
    :class:`TfLuError` naming it, or with ``skip_unreadable`` its unreadable records are left out and counted.
    ``strategy``: a ``tf.distribute`` strategy (default: one device).  Returns a summary dict."""
    cfg = config.train
    strategy = strategy or tf.distribute.get_strategy()
    out_dir = output_dir(out_dir, strategy)
    identity = {"backbone": to_dict(config)["backbone"],
                "train": {k: v for k, v in to_dict(config)["train"].items() if k != "steps"}}
    done = completed_run(out_dir, cfg.steps, "model.weights.h5", identity)
    if done:
        return done
    records, skipped = checked_records(records, os.path.join(out_dir, "readable-records"), skip_unreadable)
    keras.utils.set_random_seed(cfg.seed)
    model = build_distributed_model(config, strategy, precision)
    dataset = shard_by_file(mixed_pair_dataset(records, cfg, config.track.total_stride))
    with fitting_scope(model, strategy):
        history, steps_run, wall = fit_resumable(model, dataset, out_dir, cfg.steps, cfg.steps_per_epoch, verbose,
                                                 extra_callbacks, checkpoint=True, identity=identity)
    export_weights(model, config, os.path.join(out_dir, "model.weights.h5"))
    with open(os.path.join(out_dir, "config.yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"backbone": to_dict(config)["backbone"], "train": to_dict(config)["train"]}, handle)
    summary = {"steps": cfg.steps, "steps_this_run": steps_run, "epochs_this_run": len(history.history.get("loss", [])),
               "wall_seconds_this_run": round(wall, 1),
               "final_loss": float(history.history["loss"][-1]) if history.history.get("loss") else None,
               "skipped_records": skipped}
    write_json_atomic(os.path.join(out_dir, SUMMARY_FILE), summary)
    return summary
