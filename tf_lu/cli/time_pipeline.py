"""Throughput of the training input pipelines alone (tf.data: decode, augment, batch), in steps per second.

    tf-lu time pipeline --pairs records/pairs --config configs/updater_siamfc_half.yaml --threads 1,2

--pairs: pair records (tf-lu make-pairs / curate); --features: feature records (tf-lu cache-features), or, without
it, generated feature records of the config's extractor shape (22 x 22 x C, meta.max_length frames).  Each pipeline is
timed on 1, 2, ... tf.data threads, keeping the element order and not; the table adds what one core's rate feeds on
many cores if it scaled linearly.  --json writes the rows.
"""
from tf_lu.cli import checks


def add_arguments(parser):
    parser.add_argument("--config", help="experiment YAML (train: and meta: sections, backbone width)")
    parser.add_argument("--pairs", type=checks.input_folder,
                        help="folder of pairs-*.tfrecord (the extractor's pipeline is skipped without it)")
    parser.add_argument("--features", type=checks.input_folder,
                        help="folder of feat-L*-*.tfrecord (default: generated ones)")
    parser.add_argument("--threads", default="1,2", type=checks.positive_ints,
                        help="comma-separated tf.data thread counts, each 1 or more (default 1,2)")
    parser.add_argument("--batches", type=checks.positive_int, default=50,
                        help="timed elements per measurement (default 50)")
    parser.add_argument("--json", type=checks.output_file, help="write the measurements to this file")


def run(args):
    from tf_lu.config import load_config
    config = load_config(args.config)
    from tf_lu.apps.time_pipeline import time_training_pipelines
    from tf_lu.timing.pipeline import pipeline_table
    print(pipeline_table(time_training_pipelines(config, args.pairs, args.features, args.threads, args.batches,
                                                 args.json)))
