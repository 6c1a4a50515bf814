"""The ``model.fit`` loop both training stages share: exact resume from step checkpoints, a finished run kept.

``fit_resumable`` trains for exactly ``steps`` optimisation steps.  Every ``save_every`` steps (and at the last
one) it writes a checkpoint into ``out_dir/backup``: the model's weights with the optimizer's state, the carried state
of a model that has one (``carried_state`` / ``restore_carried_state``, the meta-trainer's truncated-BPTT state), and
``state.json`` naming them with the step count, written last and atomically, so a kill at any moment leaves the last
complete checkpoint in force.  Rerunning restores it and continues the same input stream from the same element
(the dataset is advanced by the steps already taken), with TensorFlow's op determinism on (on CPU), so the final
weights equal those of an uninterrupted run with the same seed, bitwise (tests/test_resume.py).  On a GPU, or with a
distributed dataset (which is not advanced), a resumed run continues from the checkpoint's weights and optimizer
state but need not repeat the uninterrupted run's arithmetic exactly.  The last checkpoint is kept: rerunning a finished run with a
larger ``steps`` continues it (a schedule over the total steps, as the extractor's learning rate, then stretches to
the new total from the step reached).  :func:`completed_run` tells a trainer that its ``out_dir`` holds a finished run.
"""
import json
import math
import os
import time

import keras
import numpy as np
import tensorflow as tf

from tf_lu.atomic_files import write_json_atomic
from tf_lu.errors import TfLuError

STATE_FILE = "state.json"
SUMMARY_FILE = "train_summary.json"


def save_weights_atomic(model, path):
    """``model.save_weights(path)`` through a temporary file and a rename (``path`` ends in ``.weights.h5``)."""
    temporary = path[:-len(".weights.h5")] + ".partial.weights.h5"
    model.save_weights(temporary)
    os.replace(temporary, path)


def prepare_output(out_dir, create=True):
    """Create ``out_dir`` (unless not ``create``); a path that exists but is not a folder is a :class:`TfLuError`."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise TfLuError(f"--out {out_dir} exists and is not a folder")
    try:
        if create:
            os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise TfLuError(f"cannot create the output folder {out_dir} ({exc.strerror})") from None


def read_state(out_dir):
    """The ``state.json`` of ``out_dir``'s last checkpoint, or None."""
    path = os.path.join(out_dir, "backup", STATE_FILE)
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise TfLuError(f"unreadable checkpoint state {path} ({exc.__class__.__name__}); remove the backup folder "
                        f"to start over") from None


def check_identity(out_dir, identity):
    """A :class:`TfLuError` when ``out_dir`` holds a run of another config (``identity``: the settings a resumed run
    must share, a dict)."""
    state = read_state(out_dir)
    identity = json.loads(json.dumps(identity))       # as stored: tuples become lists
    if state is None or identity is None or state.get("identity") in (None, identity):
        return state
    stored = state["identity"]
    keys = sorted(k for k in set(stored) | set(identity) if stored.get(k) != identity.get(k))
    raise TfLuError(f"{out_dir} holds a run with other settings ({', '.join(keys[:5])} differ); give another --out "
                    f"or the same settings")


def _stored_summary(out_dir):
    try:
        with open(os.path.join(out_dir, SUMMARY_FILE), "r", encoding="utf-8") as handle:
            summary = json.load(handle)
        return summary if isinstance(summary, dict) else None
    except (OSError, ValueError):
        return None


def completed_run(out_dir, steps, final_file, identity=None):
    """The stored summary (with ``"complete": True``) when ``out_dir`` holds a run of ``steps`` or more steps whose
    ``final_file`` and summary are written; None when there is training left to do.  Final weights without a
    checkpoint to continue from (a run written without one) are never trained over: fewer steps than asked is an
    error."""
    prepare_output(out_dir, create=False)
    state = check_identity(out_dir, identity)
    summary = _stored_summary(out_dir)
    if not os.path.isfile(os.path.join(out_dir, final_file)):
        return None
    done = state["step"] if state is not None else (summary or {}).get("steps")
    if state is None and not (isinstance(done, int) and done >= steps):
        raise TfLuError(f"{out_dir} holds finished weights ({final_file}) but no checkpoint to continue them from; "
                        f"give another --out")
    if summary is None or done < steps:
        return None
    return {**summary, "complete": True, "steps": done, "steps_this_run": 0, "epochs_this_run": 0,
            "wall_seconds_this_run": 0.0,
            "message": f"{out_dir} already holds a finished run of {done} steps (asked for {steps}); nothing to do "
                       f"(give a larger --steps to continue it)"}


class StepCheckpoint(keras.callbacks.Callback):
    """Counts optimisation steps from ``start``, checkpoints every ``every`` steps and at ``target``, and stops
    training at ``target``."""

    def __init__(self, backup_dir, start, target, every, identity=None):
        super().__init__()
        self.backup_dir, self.step, self.target, self.every, self.identity = backup_dir, start, target, every, identity

    def on_train_batch_end(self, batch, logs=None):
        self.step += 1
        if self.step % self.every == 0 or self.step >= self.target:
            save_checkpoint(self.model, self.backup_dir, self.step, self.identity)
        if self.step >= self.target:
            self.model.stop_training = True


def save_checkpoint(model, backup_dir, step, identity=None):
    """Write checkpoint ``step`` into ``backup_dir`` and point ``state.json`` at it; older checkpoints go."""
    os.makedirs(backup_dir, exist_ok=True)
    stem = f"step-{step:09d}"
    save_weights_atomic(model, os.path.join(backup_dir, f"{stem}.weights.h5"))
    carried = None
    if hasattr(model, "carried_state"):
        parts = model.carried_state()
        arrays = {f"v{i}_r{j}": value for i, replicas in enumerate(parts) for j, value in enumerate(replicas)}
        carried = f"{stem}.carried.npz"
        with open(os.path.join(backup_dir, f"{carried}.tmp"), "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(os.path.join(backup_dir, f"{carried}.tmp"), os.path.join(backup_dir, carried))
    write_json_atomic(os.path.join(backup_dir, STATE_FILE), {"step": int(step), "weights": f"{stem}.weights.h5",
                                                             "carried": carried, "identity": identity})
    for name in os.listdir(backup_dir):
        if name.startswith("step-") and not name.startswith(stem):
            os.remove(os.path.join(backup_dir, name))


def restore_checkpoint(model, backup_dir):
    """Load the last checkpoint of ``backup_dir`` into ``model``; returns its step (0 when there is none)."""
    state = read_state(os.path.dirname(backup_dir))
    if state is None:
        return 0
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    model.load_weights(os.path.join(backup_dir, state["weights"]))
    if state.get("carried"):
        with np.load(os.path.join(backup_dir, state["carried"])) as arrays:
            count = 1 + max(int(k[1:].split("_")[0]) for k in arrays.files)
            values = [[arrays[k] for k in sorted((k for k in arrays.files if k.startswith(f"v{i}_")),
                                                  key=lambda k: int(k.split("_r")[1]))] for i in range(count)]
        model.restore_carried_state(values)
    return int(state["step"])


def fit_resumable(model, dataset, out_dir, steps, steps_per_epoch, verbose=1, extra_callbacks=(),
                  checkpoint=False, validation_data=None, validation_steps=None, identity=None, save_every=None):
    """Fit ``model`` to exactly ``steps`` optimisation steps in epochs of ``steps_per_epoch``, resuming from the last
    checkpoint in ``out_dir/backup``.  ``dataset``: a dataset, or ``start -> dataset`` whose stream begins at
    element ``start`` (a distributed dataset cannot be advanced once made).  Returns ``(history, steps_this_run,
    wall_seconds)``."""
    if steps < 1 or steps_per_epoch < 1:
        raise TfLuError(f"steps ({steps}) and steps per epoch ({steps_per_epoch}) must be at least 1")
    if not tf.config.list_logical_devices("GPU"):
        tf.config.experimental.enable_op_determinism()    # CPU kernels have deterministic forms; some GPU ones do not
    prepare_output(out_dir)
    backup = os.path.join(out_dir, "backup")
    start = restore_checkpoint(model, backup)
    if start > steps:
        raise TfLuError(f"{out_dir} holds a run at step {start}, past the {steps} steps asked; give --steps {start} "
                        f"or more, or another --out")
    if start == steps:                    # killed after its last checkpoint: only the outputs are left to write
        return keras.callbacks.History(), 0, 0.0
    if callable(dataset):                 # a builder of a stream that starts at a given element (a distributed one)
        dataset = dataset(start)
    elif start:
        dataset = dataset.skip(start)     # the same stream, from the element an uninterrupted run would use next
    every = save_every or max(1, steps_per_epoch // 4)
    callbacks = [StepCheckpoint(backup, start, steps, every, identity)]
    if checkpoint:
        callbacks.append(keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "checkpoint.weights.h5"),
                                                         save_weights_only=True))
    callbacks += [
        keras.callbacks.TensorBoard(os.path.join(out_dir, "logs"), update_freq=steps_per_epoch),
        keras.callbacks.CSVLogger(os.path.join(out_dir, "history.csv"), append=True),
        keras.callbacks.TerminateOnNaN(),
        *extra_callbacks,
    ]
    first_epoch = start // steps_per_epoch
    epochs = first_epoch + math.ceil((steps - start) / steps_per_epoch)
    begin = time.time()
    history = model.fit(dataset, epochs=epochs, initial_epoch=first_epoch, steps_per_epoch=steps_per_epoch,
                        callbacks=callbacks, verbose=verbose, validation_data=validation_data,
                        validation_steps=validation_steps)
    return history, steps - start, time.time() - begin
