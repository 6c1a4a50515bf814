"""Where one meta-training step of the learned updater spends its time: each part alone and the whole step, for one
or more configs measured in turn (seeded random features of the config's shape; no feature cache needed).

    tf-lu time meta-step --config configs/updater_cfnet_conv3.yaml --config configs/updater_siamfc_half_softmax.yaml
    tf-lu time meta-step --config configs/updater_cfnet_conv3.yaml --tensorflow-gradient   # also TF's own gradient

Prints two markdown tables (median wall and CPU ms per part, one column per profile); --json writes the figures.
"""
import os

from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.cli.time_memory import parse_overrides
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--config", action="append", required=True, type=checks.input_file,
                        help="meta-training config (repeatable: profiles measured in turn)")
    parser.add_argument("--label", action="append", default=[],
                        help="a column label per --config, in order (default: the config's file name)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="config override applied to every config, e.g. updater.learned.hidden=32 (repeatable)")
    parser.add_argument("--tensorflow-gradient", action="store_true",
                        help="also profile every config with TensorFlow's own gradient of the response's correlation "
                             "(the meta-trainer's fast gradient is the default)")
    parser.add_argument("--precision", default="float32", type=comma_list,
                        help="Keras dtype policies of the updater network, comma-separated: every config is "
                             "profiled in each (default float32; e.g. float32,mixed_bfloat16)")
    parser.add_argument("--repeats", type=checks.positive_int, default=5,
                        help="timed rounds (default 5; medians are reported)")
    parser.add_argument("--threads", type=checks.positive_int,
                        help="TensorFlow's intra- and inter-op threads (default: TensorFlow's own choice); with 1, "
                             "a step's CPU time is the time it takes one core, undisturbed by idle threads spinning "
                             "on a shared machine")
    parser.add_argument("--json", type=checks.output_file, help="write the figures to this file")


def profile_labels(configs, labels):
    if labels and len(labels) != len(configs):
        raise TfLuError(f"--label given {len(labels)} times for {len(configs)} --config")
    return labels or [os.path.splitext(os.path.basename(path))[0] for path in configs]


def run(args):
    labels = profile_labels(args.config, args.label)
    overrides = parse_overrides(args.set) or None
    from tf_lu.config import load_config
    for path in args.config:
        load_config(path, overrides)
    from tf_lu.apps.time_meta_step import time_meta_steps
    print(time_meta_steps(args.config, labels, overrides, args.precision, args.tensorflow_gradient, args.repeats,
                          args.threads, args.json))
