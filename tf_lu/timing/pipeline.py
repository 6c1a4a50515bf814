"""Throughput of the two training stages' ``tf.data`` input pipelines alone (no model), as training reads them.

* extractor: :func:`tf_lu.data.mixing.mixed_pair_dataset` (pair records: parse, JPEG decode, augmentation, batch;
  parallel map, prefetch) -> pairs and batches (training steps) per second;
* updater: :func:`tf_lu.data.records.features.chunk_dataset` (feature records: parse, float16 decode, bucketed
  batches of sequences cut into chunks of H frames) -> chunks (training steps) and frames per second.

Each pipeline is read for ``batches`` elements after ``warmup`` ones, with tf.data's private thread pool set to
``threads`` threads, once keeping the element order (``deterministic``, as training does, so a run is reproducible and
resumes exactly) and once letting parallel work finish out of order.  One thread's rate is what one CPU core feeds;
the rate at several threads shows how it scales on this machine.  :func:`write_generated_features` writes feature
records of a given shape (their decoding cost does not depend on the values), so the updater's pipeline can be timed
without an extractor.
"""
import os
import time

import numpy as np
import tensorflow as tf

from tf_lu.data.mixing import mixed_pair_dataset
from tf_lu.data.records.features import chunk_dataset, feature_example, write_feature_meta
from tf_lu.errors import TfLuError


def with_threads(dataset, threads, deterministic=True):
    """``dataset`` on a private pool of ``threads`` threads (one op thread each), ordered or not."""
    options = tf.data.Options()
    options.threading.private_threadpool_size = int(threads)
    options.threading.max_intra_op_parallelism = 1
    options.deterministic = bool(deterministic)
    return dataset.with_options(options)


def elements_per_second(dataset, batches=50, warmup=5):
    """Elements of ``dataset`` read per second, over ``batches`` elements after ``warmup`` (pipeline start-up, the
    shuffle buffer's first fill and tracing stay out of the time)."""
    if batches < 1 or warmup < 0:
        raise TfLuError(f"batches must be at least 1 and warmup at least 0, got {batches} and {warmup}")
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    start = time.perf_counter()
    for _ in range(batches):
        next(iterator)
    return batches / (time.perf_counter() - start)


def time_pair_pipeline(records, train_config, threads, deterministic=True, batches=50, warmup=5, total_stride=8):
    """``{"steps_per_s", "pairs_per_s"}`` of the extractor's input pipeline over the pair records ``records``."""
    dataset = with_threads(mixed_pair_dataset(records, train_config, total_stride), threads, deterministic)
    rate = elements_per_second(dataset, batches, warmup)
    return {"steps_per_s": rate, "pairs_per_s": rate * train_config.batch_size}


def time_chunk_pipeline(features, meta_config, threads, deterministic=True, batches=50, warmup=5):
    """``{"steps_per_s", "frames_per_s"}`` of the meta-trainer's input pipeline over the feature records
    ``features`` (a step is one chunk of ``batch_size`` sequences x ``unroll`` frames)."""
    dataset, _ = chunk_dataset(features, meta_config.batch_size, meta_config.unroll, meta_config.seed,
                               reverse_prob=meta_config.reverse_prob)
    rate = elements_per_second(with_threads(dataset, threads, deterministic), batches, warmup)
    return {"steps_per_s": rate, "frames_per_s": rate * meta_config.batch_size * meta_config.unroll}


def write_generated_features(folder, shape=(22, 22, 128), length=150, sequences=16, files=2, seed=0):
    """Feature records of ``sequences`` generated sequences of ``length`` frames of ``shape`` float16 features in
    ``files`` files of one bucket (what the extractor would cache; the values are noise).  Returns ``folder``."""
    if sequences < files or files < 1:
        raise TfLuError(f"need at least one file and a sequence per file, got {sequences} sequences, {files} files")
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    for shard in range(files):
        path = os.path.join(folder, f"feat-L{length:03d}-{shard:05d}-generated.tfrecord")
        with tf.io.TFRecordWriter(path) as writer:
            for index in range(shard, sequences, files):
                features = rng.standard_normal((length, *shape), dtype=np.float32)
                writer.write(feature_example(f"generated{index}".encode(), features, np.zeros(length, np.int64)))
    write_feature_meta(folder, {"shape": list(shape), "dtype": "float16", "extractor": "generated"})
    return folder


def time_pipelines(stages, thread_counts, batches=50, warmup=5):
    """Rows ``{"stage", "threads", "ordered", "steps_per_s", <items>_per_s}`` for every ``(stage, timer)`` in
    ``stages`` (a timer: ``(threads, deterministic, batches, warmup) -> rates``), every thread count, ordered and not."""
    rows = []
    for stage, timer in stages:
        for threads in thread_counts:
            for ordered in (True, False):
                rates = timer(threads, ordered, batches, warmup)
                rows.append({"stage": stage, "threads": threads, "ordered": ordered, **rates})
    return rows


def pipeline_table(rows, cores=(8, 32)):
    """Markdown: each measurement, and the steps per second one core's rate would feed on ``cores`` cores if it scaled
    linearly (an extrapolation from the one-thread row, ordered)."""
    lines = ["| pipeline | threads | order kept | steps/s | items/s |", "|---|---:|:---:|---:|---:|"]
    for row in rows:
        items = next((f"{v:.1f} {k[:-6]}" for k, v in row.items() if k.endswith("_per_s") and k != "steps_per_s"), "")
        lines.append(f"| {row['stage']} | {row['threads']} | {'yes' if row['ordered'] else 'no'} | "
                     f"{row['steps_per_s']:.2f} | {items} |")
    lines.append("")
    lines.append("| pipeline | steps/s one core feeds | " + " | ".join(f"x {c} cores (linear)" for c in cores) + " |")
    lines.append("|---|---:|" + "---:|" * len(cores))
    for row in rows:
        if row["threads"] == 1 and row["ordered"]:
            rate = row["steps_per_s"]
            lines.append(f"| {row['stage']} | {rate:.2f} | " + " | ".join(f"{rate * c:.0f}" for c in cores) + " |")
    return "\n".join(lines)
