"""The ``--strategy`` and ``--precision`` options of the training commands (tf_lu.training.distribute).

    tf-lu train-extractor ... --strategy mirrored                      # every GPU of this machine
    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}' \\
        tf-lu train-extractor ... --strategy multi-worker              # the same command on every worker
"""
STRATEGIES = ("default", "mirrored", "multi-worker")
PRECISIONS = ("float32", "mixed_float16", "mixed_bfloat16")


def add_distribution_arguments(parser):
    parser.add_argument("--strategy", choices=STRATEGIES, default="default",
                        help="tf.distribute strategy: one device, all local devices, or the workers in TF_CONFIG "
                             "(run the same command on each; worker 0 writes OUT, worker k OUT/worker-k)")
    parser.add_argument("--precision", choices=PRECISIONS, default="float32",
                        help="Keras dtype policy (mixed_float16 adds loss scaling; responses and losses stay float32)")


def strategy_from(args):
    """The strategy the options name; call it before anything else runs TensorFlow ops (multi-worker needs that)."""
    from tf_lu.training.distribute import make_strategy
    return make_strategy(args.strategy)
