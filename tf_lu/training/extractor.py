"""Train the base tracker's feature extractor with ``model.fit`` on pair records: SiamFC or CFNet, as
``config.backbone.kind`` says.

Checkpoints every epoch, resumes after a kill (``BackupAndRestore``), TensorBoard logs, Keras' progress bar.
The result is ``<out>/model.weights.h5`` plus ``<out>/config.yaml`` describing the network.
"""
import json
import os

import keras
import yaml

from tf_lu.config import to_dict
from tf_lu.models.losses import balanced_logistic_loss
from tf_lu.data.mixing import mixed_pair_dataset
from tf_lu.models.networks import build_network
from tf_lu.training.fitting import fit_resumable


def exponential_schedule(lr_start, lr_end, steps):
    """Learning rate decaying exponentially from ``lr_start`` to ``lr_end`` over ``steps`` steps."""
    rate = (lr_end / lr_start)
    return keras.optimizers.schedules.ExponentialDecay(lr_start, decay_steps=max(1, steps), decay_rate=rate)


def build_training_model(config):
    cfg = config.train
    model = build_network(config)
    model.build_for(cfg.exemplar_size, cfg.instance_size)
    optimizer = keras.optimizers.AdamW(exponential_schedule(cfg.lr_start, cfg.lr_end, cfg.steps),
                                       weight_decay=cfg.weight_decay)
    model.compile(optimizer=optimizer, loss=balanced_logistic_loss)
    return model


def export_weights(model, config, path):
    """Save the network's weights alone (no optimizer state) for the tracker."""
    clean = build_network(config).build_for(config.train.exemplar_size, config.train.instance_size)
    clean.set_weights(model.get_weights())
    clean.save_weights(path)


def train_extractor(config, records, out_dir, verbose=1, extra_callbacks=()):
    """Train on pair records into ``out_dir``; resumable.  ``records`` is a folder, or a list of
    ``(folder, weight)`` to mix curated sets.  Returns a summary dict."""
    cfg = config.train
    keras.utils.set_random_seed(cfg.seed)
    os.makedirs(out_dir, exist_ok=True)
    model = build_training_model(config)
    dataset = mixed_pair_dataset(records, cfg, config.track.total_stride)
    history, epochs, wall = fit_resumable(model, dataset, out_dir, cfg.steps, cfg.steps_per_epoch, verbose,
                                          extra_callbacks, checkpoint=True)
    export_weights(model, config, os.path.join(out_dir, "model.weights.h5"))
    with open(os.path.join(out_dir, "config.yaml"), "w", encoding="utf-8") as handle:
        yaml.safe_dump({"backbone": to_dict(config)["backbone"], "train": to_dict(config)["train"]}, handle)
    summary = {"steps": epochs * cfg.steps_per_epoch, "epochs_this_run": len(history.history.get("loss", [])),
               "wall_seconds_this_run": round(wall, 1),
               "final_loss": float(history.history["loss"][-1]) if history.history.get("loss") else None}
    with open(os.path.join(out_dir, "train_summary.json"), "w", encoding="utf-8") as handle:
        json.dump(summary, handle, indent=2)
    return summary
