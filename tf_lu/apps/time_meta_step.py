"""``tf-lu time meta-step``: the parts of one meta-training step for several configs and precisions, in turn."""
import json
import sys

from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.timing.meta_step import MetaStepProfile, profile_meta_steps, profile_table


def set_threads(threads):
    """TensorFlow's intra- and inter-op threads; a :class:`TfLuError` once TensorFlow's runtime has started."""
    import tensorflow as tf
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        raise TfLuError("--threads: TensorFlow has started already in this process") from None


def meta_step_profiles(configs, labels, overrides=None, precisions=("float32",), tensorflow_gradient=False):
    """One :class:`MetaStepProfile` per config (labelled ``labels``) and precision, plus one with TensorFlow's own
    gradient of the response's correlation for each when ``tensorflow_gradient``."""
    from tf_lu.models.networks import load_network
    profiles = []
    for path, label in zip(configs, labels):
        config = load_config(path, overrides)
        network = load_network(config)
        for precision in precisions:
            name = label if precision == precisions[0] else f"{label} ({precision})"
            profiles.append(MetaStepProfile(config, network, name, precision=precision))
            if tensorflow_gradient:
                profiles.append(MetaStepProfile(config, network, f"{name} (TF gradient)", fast_gradient=False,
                                                precision=precision))
    return profiles


def time_meta_steps(configs, labels, overrides=None, precisions=("float32",), tensorflow_gradient=False, repeats=5,
                    threads=None, json_path=None):
    """The wall and CPU tables (median ms per part, one column per profile) of :func:`meta_step_profiles` timed
    ``repeats`` rounds in turn on ``threads`` threads; the figures also go to ``json_path`` when given."""
    if threads is not None:
        set_threads(threads)
    profiles = meta_step_profiles(configs, labels, overrides, precisions, tensorflow_gradient)
    progress = lambda done, total: print(f"round {done}/{total}", file=sys.stderr, flush=True)
    results = profile_meta_steps(profiles, repeats=repeats, report=progress)
    if json_path:
        with open(json_path, "w", encoding="utf-8") as handle:
            json.dump({"overrides": overrides, "precisions": list(precisions), "threads": threads,
                       "profiles": results}, handle, indent=1)
    return f"{profile_table(results, 'ms')}\n\n{profile_table(results, 'cpu_ms')}"
