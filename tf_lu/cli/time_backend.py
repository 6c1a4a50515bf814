"""Time the network parts of one SiamFC step under the active Keras backend, and save their outputs on fixed inputs.

    tf-lu time backend --out results/backend_tf                      # TensorFlow (the default backend)
    KERAS_BACKEND=jax tf-lu time backend --out results/backend_jax   # JAX, e.g. on a GPU machine
    tf-lu time backend --random 1.0,192 --out results/backend_tf_paper  # the paper's sizes, initial weights
    tf-lu time backend --compare results/backend_jax/outputs.npz,results/backend_tf/outputs.npz
"""
from tf_lu.cli import checks
from tf_lu.errors import TfLuError
from tf_lu.resources import shipped_config


def add_arguments(parser):
    parser.add_argument("--config", default=shipped_config("trackers/siamfc-learned"),
                        help="a learned-updater tracker: a name or config path (default: the shipped siamfc-learned)")
    parser.add_argument("--random", metavar="WIDTH,HIDDEN",
                        help="initial weights at these sizes instead of a config's (e.g. 1.0,192: the paper's sizes)")
    parser.add_argument("--repeats", type=checks.positive_int, default=200, help="timed calls per model (default 200)")
    parser.add_argument("--mode", choices=("predict", "device"), default="device",
                        help="device: compiled calls, only the response read back (default); predict: predict_on_batch")
    parser.add_argument("--out", type=checks.output_folder, help="folder for timing.json, timing.md and outputs.npz")
    parser.add_argument("--compare", help="OURS.npz,THEIRS.npz: largest relative difference of every output")


def run(args):
    if not args.out and not args.compare:
        raise TfLuError("give --out (or --compare)")
    if not args.compare and not args.random:
        from tf_lu.config import load_config
        from tf_lu.tracking.names import tracker_config_path
        checks.config_of_kind(load_config(tracker_config_path(args.config)), "learned", args.config, "time backend")
    from tf_lu.apps.time_backend import compare_output_files, time_backend
    if args.compare:
        for key, diff in compare_output_files(args.compare.split(",")).items():
            print(f"{key}: {diff:.2e}")
        return
    print(time_backend(args.out, args.config, args.random, args.repeats, args.mode))
