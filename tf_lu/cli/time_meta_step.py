"""Where one meta-training step of the learned updater spends its time: each part alone and the whole step, for one
or more configs measured in turn (seeded random features of the config's shape; no feature cache needed).

    tf-lu time meta-step --config configs/updater_cfnet_conv3.yaml --config configs/updater_siamfc_half_softmax.yaml
    tf-lu time meta-step --config configs/updater_cfnet_conv3.yaml --tensorflow-gradient   # also TF's own gradient

Prints two markdown tables (median wall and CPU ms per part, one column per profile); --json writes the figures.
"""
import json
import os
import sys

from tf_lu.cli.common import comma_list
from tf_lu.cli.time_memory import parse_overrides
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--config", action="append", required=True,
                        help="meta-training config (repeatable: profiles measured in turn)")
    parser.add_argument("--label", action="append", default=[],
                        help="a column label per --config, in order (default: the config's file name)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override applied to every config, e.g. updater.hidden=32 (repeatable)")
    parser.add_argument("--tensorflow-gradient", action="store_true",
                        help="also profile every config with TensorFlow's own gradient of the response's correlation "
                             "(the meta-trainer's fast gradient is the default)")
    parser.add_argument("--precision", default="float32",
                        help="Keras dtype policies of the updater network, comma-separated: every config is "
                             "profiled in each (default float32; e.g. float32,mixed_bfloat16)")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds (default 5; medians are reported)")
    parser.add_argument("--threads", type=int,
                        help="TensorFlow's intra- and inter-op threads (default: TensorFlow's own choice); with 1, "
                             "a step's CPU time is the time it takes one core, undisturbed by idle threads spinning "
                             "on a shared machine")
    parser.add_argument("--json", help="write the figures to this file")


def profile_labels(configs, labels):
    if labels and len(labels) != len(configs):
        raise TfLuError(f"--label given {len(labels)} times for {len(configs)} --config")
    return labels or [os.path.splitext(os.path.basename(path))[0] for path in configs]


def run(args):
    from tf_lu.config import load_config
    from tf_lu.models.networks import load_network
    from tf_lu.timing.meta_step import MetaStepProfile, profile_meta_steps, profile_table
    if args.repeats < 1:
        raise TfLuError(f"--repeats must be at least 1, got {args.repeats}")
    if args.threads is not None:
        if args.threads < 1:
            raise TfLuError(f"--threads must be at least 1, got {args.threads}")
        import tensorflow as tf
        try:
            tf.config.threading.set_intra_op_parallelism_threads(args.threads)
            tf.config.threading.set_inter_op_parallelism_threads(args.threads)
        except RuntimeError:
            raise TfLuError("--threads: TensorFlow has started already in this process") from None
    overrides = parse_overrides(args.set) or None
    precisions = comma_list(args.precision)
    profiles = []
    for path, label in zip(args.config, profile_labels(args.config, args.label)):
        config = load_config(path, overrides)
        network = load_network(config)
        for precision in precisions:
            name = label if precision == precisions[0] else f"{label} ({precision})"
            profiles.append(MetaStepProfile(config, network, name, precision=precision))
            if args.tensorflow_gradient:
                profiles.append(MetaStepProfile(config, network, f"{name} (TF gradient)", fast_gradient=False,
                                                precision=precision))
    progress = lambda done, total: print(f"round {done}/{total}", file=sys.stderr, flush=True)
    results = profile_meta_steps(profiles, repeats=args.repeats, report=progress)
    print(profile_table(results, "ms"))
    print()
    print(profile_table(results, "cpu_ms"))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump({"overrides": overrides, "precisions": precisions, "threads": args.threads, "profiles": results},
                      handle, indent=1)
