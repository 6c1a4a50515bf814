"""The backend-timing benchmark's models (tf-lu time backend): shapes, the fused step, output comparison."""
import numpy as np
import pytest

from tf_lu.errors import TfLuError
from tf_lu.timing import backend as bt


@pytest.fixture(scope="module")
def models():
    network, net = bt.random_networks(width=0.1, hidden=4)
    assert net.hidden == 4 and net.channels == network.backbone.output.shape[-1]
    return bt.step_models(network, net)


def test_step_models_shapes_and_fused_response(models):
    inputs = bt.fixed_inputs(models)
    outputs = bt.reference_outputs(models, inputs)
    channels = outputs["exemplar/0"].shape[-1]
    assert outputs["exemplar/0"].shape == (1, 6, 6, channels)
    assert outputs["step_none/0"].shape == (3, 17, 17, 1)
    assert outputs["step_learned/1"].shape == (1, 6, 6, channels)          # the next template
    assert outputs["step_learned/2"].shape == (1, 6, 6, 4)                 # layer 1's hidden state
    # the same search and template inputs give the same responses with or without the updater in the graph
    np.testing.assert_allclose(inputs["step_none"][1], inputs["step_learned"][1])
    np.testing.assert_allclose(outputs["step_learned/0"], outputs["step_none/0"], rtol=1e-5, atol=1e-5)


def test_time_models_counts_every_call(models):
    timings = bt.time_models({"exemplar": models["exemplar"]}, bt.fixed_inputs(models), repeats=3, warmup=1)
    assert timings["exemplar"]["repeats"] == 3 and timings["exemplar"]["median_ms"] > 0
    timings = bt.time_models(models, bt.fixed_inputs(models), repeats=2, warmup=1, mode="device")
    assert sorted(timings) == ["exemplar", "step_learned", "step_none"]
    with pytest.raises(TfLuError):
        bt.time_models(models, bt.fixed_inputs(models), repeats=1, mode="eager")
    with pytest.raises(TfLuError):
        bt.time_models(models, {}, repeats=0)


def test_compare_outputs_is_relative_to_the_reference_scale():
    ours = {"a/0": np.array([1.0, 10.0]), "b/0": np.array([0.1])}
    theirs = {"a/0": np.array([1.5, 8.0]), "b/0": np.array([0.3])}
    assert bt.compare_outputs(ours, theirs) == pytest.approx({"a/0": 2.0 / 8.0, "b/0": 0.2})
    with pytest.raises(TfLuError):
        bt.compare_outputs(ours, {"a/0": theirs["a/0"]})


def test_load_outputs_round_trip_and_bad_file(tmp_path):
    good, bad = tmp_path / "outputs.npz", tmp_path / "bad.npz"
    np.savez(good, **{"step_none/0": np.arange(3.0)})
    bad.write_text("not an npz")
    np.testing.assert_array_equal(bt.load_outputs(str(good))["step_none/0"], np.arange(3.0))
    with pytest.raises(TfLuError, match="not an outputs.npz"):
        bt.load_outputs(str(bad))


def _imported_packages(nodes):
    import ast
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("module", ["models/backbones", "models/correlation", "updaters/recurrent", "updaters/recurrent_cells", "models/siamfc",
                                    "updaters/network", "timing/backend"])
def test_portable_modules_do_not_import_tensorflow(module):
    """These run under Keras's JAX backend where TensorFlow is absent (docs/RESULTS.md, "The step's networks on a GPU"): keras.ops only.
    timing/backend may name TensorFlow inside a function that runs only under the TensorFlow backend."""
    import ast
    import os
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tf_lu", module + ".py")
    with open(path) as f:
        tree = ast.parse(f.read())
    assert "tensorflow" not in _imported_packages(tree.body)
    if module != "timing/backend":
        assert "tensorflow" not in _imported_packages(ast.walk(tree))


def test_networks_load_from_a_tracker_name_or_config_path():
    """``tf-lu time backend`` without --random: the shipped learned tracker's networks, by name or by path."""
    from tf_lu.resources import shipped_config
    for source in ("siamfc-learned", shipped_config("trackers/siamfc-learned")):
        network, net = bt.load_networks(source)
        assert tuple(bt.template_shape(network))[-1] == net.channels
    with pytest.raises(TfLuError, match="learned-updater tracker config"):
        bt.load_networks("siamfc-none")
