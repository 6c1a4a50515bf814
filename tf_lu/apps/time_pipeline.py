"""Throughput of the training input pipelines alone (``tf-lu time pipeline``): the updater's chunk pipeline on given
or generated feature records and, with pair records, the extractor's pair pipeline, timed by
:mod:`tf_lu.timing.pipeline` at each thread count."""
import tempfile

from tf_lu.atomic_files import write_json_atomic
from tf_lu.timing.pipeline import (time_chunk_pipeline, time_pair_pipeline, time_pipelines,
                                              write_generated_features)
from tf_lu.models.backbones import scaled_channels


def time_training_pipelines(config, pairs=None, features=None, threads=(1, 2), batches=50, out=None):
    """Rows of :func:`~tf_lu.timing.pipeline.time_pipelines` for the updater's chunks (of ``features``, or
    of generated feature records of ``config``'s extractor shape, 22 x 22 x C, ``meta.max_length`` frames) and, with
    ``pairs``, the extractor's pairs (``config.train``); also written as JSON to ``out`` when given."""
    with tempfile.TemporaryDirectory() as scratch:
        features = features or write_generated_features(
            scratch, (22, 22, scaled_channels(config.backbone.width)[-1]), config.meta.max_length)
        stages = [("updater chunks", lambda t, o, b, w: time_chunk_pipeline(features, config.meta, t, o, b, w))]
        if pairs:
            stages.insert(0, ("extractor pairs", lambda t, o, b, w: time_pair_pipeline(pairs, config.train, t, o, b, w)))
        rows = time_pipelines(stages, threads, batches)
    if out:
        write_json_atomic(out, rows)
    return rows
