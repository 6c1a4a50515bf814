"""Running the chunk tasks of a curation: in this process (one worker) or in a pool of spawned worker processes that
report each finished video through a queue handed to every task."""
import dataclasses
import multiprocessing
import os
import queue as queue_module
import sys

from tf_lu.data.curation.chunks import run_chunk


def _init_worker():
    """Worker start-up (spawned process): quiet, single-threaded TF/OpenCV."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        import cv2
        cv2.setNumThreads(1)
        import tensorflow as tf
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except Exception:   # noqa: BLE001 -- thread settings are an optimisation only
        pass


def _run_reporting(task, progress):
    """:func:`run_chunk` in a worker, putting a 1 on the ``progress`` queue per video."""
    return run_chunk(task, progress.put)


def _drain(progress, bar, timeout=None):
    """Move the progress counts waiting in the queue onto ``bar`` (waiting up to ``timeout`` for the first)."""
    try:
        bar.update(progress.get(timeout=timeout) if timeout else progress.get_nowait())
        while True:
            bar.update(progress.get_nowait())
    except queue_module.Empty:
        pass


def _main_is_importable():
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.exists(main_file)


def run_tasks(tasks, settings, bar):
    """Run the chunk tasks in-process (1 worker) or in a spawn pool, updating ``bar`` per video."""
    if settings.workers == 1 or len(tasks) == 1:
        for task in tasks:
            run_chunk(task, bar.update)
        return
    if not _main_is_importable():
        # e.g. a script piped through stdin: spawned workers could not re-import it and the pool would hang
        print("note: __main__ is not importable by worker processes; curating in this process", file=sys.stderr)
        return run_tasks(tasks, dataclasses.replace(settings, workers=1), bar)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        progress = manager.Queue()
        with context.Pool(min(settings.workers, len(tasks)), initializer=_init_worker) as pool:
            pending = [pool.apply_async(_run_reporting, (task, progress)) for task in tasks]
            while pending:
                _drain(progress, bar, timeout=0.2)
                for result in [r for r in pending if r.ready()]:
                    result.get()               # re-raises a worker's error (pool terminated on leaving the block)
                    pending.remove(result)
            _drain(progress, bar)
            pool.close()
            pool.join()
