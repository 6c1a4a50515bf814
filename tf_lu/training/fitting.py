"""The ``model.fit`` loop both training stages share: resumable epochs, TensorBoard, a CSV history, NaN stop."""
import os
import time

import keras


def fit_resumable(model, dataset, out_dir, steps, steps_per_epoch, verbose=1, extra_callbacks=(),
                  checkpoint=False, validation_data=None, validation_steps=None):
    """Fit for ``steps // steps_per_epoch`` epochs with ``BackupAndRestore`` in ``out_dir/backup`` (a killed run
    resumes at its last finished epoch).  Returns ``(history, epochs, wall_seconds)``."""
    epochs = max(1, steps // steps_per_epoch)
    callbacks = [keras.callbacks.BackupAndRestore(os.path.join(out_dir, "backup"))]
    if checkpoint:
        callbacks.append(keras.callbacks.ModelCheckpoint(os.path.join(out_dir, "checkpoint.weights.h5"),
                                                         save_weights_only=True))
    callbacks += [
        keras.callbacks.TensorBoard(os.path.join(out_dir, "logs"), update_freq=steps_per_epoch),
        keras.callbacks.CSVLogger(os.path.join(out_dir, "history.csv"), append=True),
        keras.callbacks.TerminateOnNaN(),
        *extra_callbacks,
    ]
    start = time.time()
    history = model.fit(dataset, epochs=epochs, steps_per_epoch=steps_per_epoch, callbacks=callbacks,
                        verbose=verbose, validation_data=validation_data,
                        validation_steps=validation_steps)
    return history, epochs, time.time() - start
