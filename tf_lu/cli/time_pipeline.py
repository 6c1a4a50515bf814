"""Throughput of the training input pipelines alone (tf.data: decode, augment, batch), in steps per second.

    tf-lu time pipeline --pairs records/pairs --config configs/updater_siamfc_half.yaml --threads 1,2

--pairs: pair records (tf-lu make-pairs / curate); --features: feature records (tf-lu cache-features), or, without
it, generated feature records of the config's extractor shape (22 x 22 x C, meta.max_length frames).  Each pipeline is
timed on 1, 2, ... tf.data threads, keeping the element order and not; the table adds what one core's rate feeds on
many cores if it scaled linearly.  --json writes the rows.
"""
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--config", help="experiment YAML (train: and meta: sections, backbone width)")
    parser.add_argument("--pairs", help="folder of pairs-*.tfrecord (the extractor's pipeline is skipped without it)")
    parser.add_argument("--features", help="folder of feat-L*-*.tfrecord (default: generated ones)")
    parser.add_argument("--threads", default="1,2", help="comma-separated tf.data thread counts (default 1,2)")
    parser.add_argument("--batches", type=int, default=50, help="timed elements per measurement (default 50)")
    parser.add_argument("--json", help="write the measurements here")


def run(args):
    import json
    import tempfile

    from tf_lu.config import load_config
    from tf_lu.timing.pipeline import (pipeline_table, time_chunk_pipeline, time_pair_pipeline,
                                                  time_pipelines, write_generated_features)
    from tf_lu.models.backbones import scaled_channels
    config = load_config(args.config)
    threads = [int(t) for t in comma_list(args.threads)]
    with tempfile.TemporaryDirectory() as scratch:
        features = args.features or write_generated_features(
            scratch, (22, 22, scaled_channels(config.backbone.width)[-1]), config.meta.max_length)
        stages = [("updater chunks", lambda t, o, b, w: time_chunk_pipeline(features, config.meta, t, o, b, w))]
        if args.pairs:
            stages.insert(0, ("extractor pairs", lambda t, o, b, w: time_pair_pipeline(args.pairs, config.train, t, o,
                                                                                      b, w)))
        rows = time_pipelines(stages, threads, args.batches)
    print(pipeline_table(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=2)
