"""What the parts of one SiamFC tracking step cost under the active Keras backend (a benchmark, not a test).

The networks (backbone, cross-correlation, the learned updater) are written in ``keras.ops`` only, so the same code
and weight files run under TensorFlow here and under JAX on a machine where TensorFlow cannot be installed (a lent
GPU machine: docs/RESULTS.md, "The step's networks on a GPU").  This builds, from one tracker config and its
weights, three compiled models with fixed shapes:

* ``exemplar``: the exemplar crop (1, 127, 127, 3) to the template;
* ``step_none``: the search pyramid (3, 255, 255, 3) and a template to the three responses (SiamFC-3s without update);
* ``step_learned``: the same, plus one learned-updater step (the 2-layer ConvGRU and its output convolution) in the
  same graph, as the tracker fuses it into its search step (:meth:`tf_lu.updaters.learned.LearnedUpdater.graph_step`
  inside :mod:`tf_lu.tracking.step`).

Each model runs side by side in turn, so that a change of load touches all alike, in one of two ways: through
``predict_on_batch`` (every output copied back to the host), or through the backend's compiled function with only
the first output (the response) copied back and the updater's state left on the device, as a tracker can keep it.
In both, every input is sent from the host on every call: the search crops, as a tracker sends each frame, and also
the updater's state (2 x 6 x 6 x 64 floats for the shipped updater, 18 KB), which a tracker would keep on the device.
What the tracker does around them on the host (cropping, upsampling the response, the updater's window) is not
counted: the full tracker's speed is the benchmark's fps (:mod:`tf_lu.evaluation.otb`) and :mod:`tf_lu.timing.frames`.

Every model also runs once on fixed, seeded inputs; those outputs are saved so that one backend's can be compared with
another's (:func:`compare_outputs`).
"""
import time
import zipfile
import zlib

import numpy as np

from tf_lu import paper
from tf_lu.errors import TfLuError

def template_shape(network):
    """The template's shape ``(1, m, m, C)`` for ``network``'s backbone."""
    return network.backbone.compute_output_shape((1, paper.SIAMFC_EXEMPLAR_SIZE, paper.SIAMFC_EXEMPLAR_SIZE, 3))


def load_networks(config_path):
    """``(SiamFCNet, UpdaterNet)`` of a learned-updater tracker config (a path or a shipped tracker name), weights
    loaded."""
    from tf_lu.config import load_config
    from tf_lu.tracking.names import tracker_config_path
    from tf_lu.models.siamfc import load_siamfc_network
    from tf_lu.updaters.network import load_updater_net
    config = load_config(tracker_config_path(config_path))
    if config.updater.kind != "learned":
        raise TfLuError(f"{config_path}: backend timing needs a learned-updater tracker config")
    network = load_siamfc_network(config)
    template = template_shape(network)
    net = load_updater_net(config.updater.learned.weights, config.updater.learned, channels=int(template[-1]),
                           size=int(template[1]))
    return network, net


def random_networks(width=1.0, hidden=paper.UPDATER_HIDDEN_SIAMFC, layers=2):
    """``(SiamFCNet, UpdaterNet)`` at the given sizes with initial weights: for timing sizes no weights exist for (the
    paper's full-width backbone and 192 hidden channels)."""
    from tf_lu.models.siamfc import SiamFCNet
    from tf_lu.updaters.network import UpdaterNet
    network = SiamFCNet(width).build_for()
    template = template_shape(network)
    return network, UpdaterNet(int(template[-1]), hidden, layers).build_for(int(template[1]))


def step_models(network, net, scales=paper.SIAMFC_SCALE_NUM):
    """``{"exemplar", "step_none", "step_learned"}``: functional Keras models with every shape fixed."""
    import keras
    from tf_lu.models.correlation import cross_correlation
    exemplar_size, instance_size = paper.SIAMFC_EXEMPLAR_SIZE, paper.SIAMFC_INSTANCE_SIZE
    exemplar = keras.Input((exemplar_size, exemplar_size, 3), batch_size=1, name="exemplar")
    feature_shape = template_shape(network)[1:]
    search = keras.Input((instance_size, instance_size, 3), batch_size=scales, name="search")
    template = keras.Input(feature_shape, batch_size=1, name="template")
    response = network.adjust(cross_correlation(template, network.backbone(search)))
    candidate = keras.Input(feature_shape, batch_size=1, name="candidate")
    theta_1 = keras.Input(feature_shape, batch_size=1, name="theta_1")
    zero = net.zero_states(1, int(feature_shape[0]))
    states = [[keras.Input(tuple(t.shape[1:]), batch_size=1, name=f"state{k}_{j}") for j, t in enumerate(layer)]
              for k, layer in enumerate(zero)]
    theta, new_states = net(candidate, states, theta_1)
    flat_in = [t for layer in states for t in layer]
    flat_out = [t for layer in new_states for t in layer]
    return {
        "exemplar": keras.Model(exemplar, network.backbone(exemplar), name="exemplar"),
        "step_none": keras.Model([search, template], response, name="step_none"),
        "step_learned": keras.Model([search, template, candidate, theta_1] + flat_in, [response, theta] + flat_out,
                                    name="step_learned"),
    }


def fixed_inputs(models, seed=0):
    """Seeded inputs for every model, the same array for inputs of the same name (``search``, ``template``) in every
    model: images in [0, 255], features and states at unit scale."""
    inputs = {}
    for name, model in models.items():
        arrays = []
        for tensor in model.inputs:
            shape = tuple(tensor.shape)
            input_name = tensor.name.split(":")[0]
            rng = np.random.default_rng([seed, zlib.crc32(input_name.encode())])
            if len(shape) == 4 and shape[-1] == 3:
                arrays.append(rng.uniform(0, 255, shape).astype("float32"))
            else:
                arrays.append(rng.normal(0, 1, shape).astype("float32"))
        inputs[name] = arrays if len(arrays) > 1 else arrays[0]
    return inputs


def _listed(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _as_list(outputs):
    return [np.asarray(o) for o in _listed(outputs)]


def reference_outputs(models, inputs):
    """``{"<model>/<k>": array}``: each model's k-th output on the fixed inputs."""
    return {f"{name}/{k}": out for name, model in models.items()
            for k, out in enumerate(_as_list(model.predict_on_batch(inputs[name])))}


def compiled_call(model):
    """``inputs -> outputs`` through the backend's own compiled function, outputs left on the device."""
    import keras
    backend = keras.backend.backend()
    if backend == "jax":
        import jax
        trainable = [v.value for v in model.trainable_variables]
        non_trainable = [v.value for v in model.non_trainable_variables]
        call = jax.jit(lambda t, n, x: model.stateless_call(t, n, x)[0])
        return lambda x: call(trainable, non_trainable, x)
    if backend == "tensorflow":
        import tensorflow as tf
        return tf.function(lambda x: model(x, training=False))
    raise TfLuError(f"no compiled call for the Keras backend {backend}")


def _runner(model, mode):
    """One frame's call: ``predict`` copies every output to the host (``predict_on_batch``); ``device`` keeps every
    output on the device but the first (the response, or the template), which a tracker must read."""
    if mode == "predict":
        return lambda x: _as_list(model.predict_on_batch(x))
    if mode == "device":
        call = compiled_call(model)

        def run(x):
            outputs = _listed(call(x))
            result = np.asarray(outputs[0])
            for output in outputs[1:]:
                if hasattr(output, "block_until_ready"):     # JAX dispatches asynchronously
                    output.block_until_ready()
            return result
        return run
    raise TfLuError(f"unknown timing mode {mode!r} (predict or device)")


def time_models(models, inputs, repeats=200, warmup=10, mode="predict"):
    """``{name: {"mean_ms", "median_ms", "repeats"}}``, the models run in turn, call after call (see :func:`_runner`
    for ``mode``)."""
    if repeats < 1 or warmup < 0:
        raise TfLuError("repeats must be at least 1, warmup at least 0")
    runners = {name: _runner(model, mode) for name, model in models.items()}
    for name, run in runners.items():            # compilation stays out of the times
        for _ in range(warmup):
            run(inputs[name])
    seconds = {name: [] for name in models}
    for _ in range(repeats):
        for name, run in runners.items():
            start = time.perf_counter()
            run(inputs[name])
            seconds[name].append(time.perf_counter() - start)
    return {name: {"mean_ms": 1e3 * float(np.mean(v)), "median_ms": 1e3 * float(np.median(v)), "repeats": len(v)}
            for name, v in seconds.items()}


def load_outputs(path):
    """The ``{key: array}`` of an ``outputs.npz`` that :func:`reference_outputs` wrote; anything else is an error."""
    try:
        with np.load(path) as arrays:
            return {key: arrays[key] for key in arrays.files}
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise TfLuError(f"{path} is not an outputs.npz of tf-lu time backend: {str(exc).splitlines()[0]}") from None


def compare_outputs(ours, theirs):
    """``{key: max |a - b| / max(1, max |b|)}`` over the keys both hold; a key only one side holds is an error."""
    if set(ours) != set(theirs):
        raise TfLuError(f"the two output files hold different models/outputs: {sorted(set(ours) ^ set(theirs))}")
    return {key: float(np.max(np.abs(ours[key] - theirs[key])) / max(1.0, float(np.max(np.abs(theirs[key])))))
            for key in sorted(ours)}


def timing_summary(timings):
    """Markdown: each model's time, and what the updater step adds to a search step."""
    lines = ["| model | mean ms | median ms |", "|---|---:|---:|"]
    lines += [f"| {name} | {t['mean_ms']:.3f} | {t['median_ms']:.3f} |" for name, t in timings.items()]
    if "step_none" in timings and "step_learned" in timings:
        none, learned = timings["step_none"]["median_ms"], timings["step_learned"]["median_ms"]
        lines.append(f"\nthe updater step adds {learned - none:+.3f} ms (median) to a search step: "
                     f"{none / learned:.3f}x the network speed of no update")
    return "\n".join(lines)


def device_names():
    """The devices the active backend computes on, as it names them."""
    import keras
    backend = keras.backend.backend()
    if backend == "jax":
        import jax
        return [f"{d.platform}:{getattr(d, 'device_kind', d)}" for d in jax.devices()]
    if backend == "tensorflow":
        import tensorflow as tf
        return [f"{d.device_type}:{d.name}" for d in tf.config.list_physical_devices()]
    return [backend]
