"""Runtimes of the feature extractor (config ``runtime`` / ``precision``): folding batch norm and input scaling into the
convolutions is exact, the XLA and LiteRT float32 forms compute what Keras computes, the quantized ones stay close,
and a tracker on each runtime tracks like the Keras tracker."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.config import load_config
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError
from tf_lu.evaluation.otb import run_sequence
from tf_lu.models.backbones import alexnet_backbone
from tf_lu.tracking.registry import build_tracker
from tf_lu.tracking.runtimes.calibration import calibration_batches
from tf_lu.tracking.runtimes.folded import FoldedBackbone, fold_layers
from tf_lu.tracking.runtimes.tflite import TFLiteBackbone
from tf_lu.tracking.runtimes.xla import XlaBackbone


def small_backbone(seed=0):
    """A quarter-width SiamFC extractor with random weights and non-trivial batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    model = alexnet_backbone(0.25)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            size = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, size), rng.normal(0, 0.1, size), rng.normal(0, 0.2, size),
                               rng.uniform(0.5, 2.0, size)])
    return model


def images(count=2, size=95, seed=1):
    return np.random.default_rng(seed).uniform(0, 255, (count, size, size, 3)).astype(np.float32)


def test_folding_a_scaled_convolution_and_its_batch_norm_is_the_same_arithmetic():
    inputs = keras.Input((None, None, 1))
    x = keras.layers.Rescaling(0.5, offset=-1.0)(inputs)
    x = keras.layers.Conv2D(1, 2, kernel_initializer="ones", bias_initializer="zeros")(x)
    x = keras.layers.BatchNormalization(epsilon=0.0)(x)
    model = keras.Model(inputs, keras.layers.ReLU()(x))
    model.layers[3].set_weights([np.array([2.0]), np.array([1.0]), np.array([3.0]), np.array([4.0])])
    steps = fold_layers(model)
    # conv(0.5 x - 1) = 0.5 * sum(x) - 4 over a 2x2 window; batch norm: (. - 3) / 2 * 2 + 1 = . - 2
    assert [step[0] for step in steps] == ["conv", "relu"]
    np.testing.assert_allclose(steps[0][1][0].reshape(-1), [0.5] * 4)
    np.testing.assert_allclose(steps[0][2][0], [-6.0])
    image = np.array([[[[1.0], [2.0]], [[3.0], [10.0]]]], np.float32)
    assert float(FoldedBackbone(model)(image)[0, 0, 0, 0]) == pytest.approx(0.5 * 16 - 6)


def test_a_folded_extractor_computes_the_keras_extractor_in_float32_and_close_in_bfloat16():
    model = small_backbone()
    batch = images()
    expected = model(batch, training=False).numpy()
    scale = np.abs(expected).max()
    np.testing.assert_allclose(FoldedBackbone(model)(batch).numpy(), expected, atol=1e-4 * scale)
    assert np.abs(FoldedBackbone(model, "bfloat16")(batch).numpy() - expected).max() < 0.05 * scale


def test_xla_and_litert_float32_compute_the_keras_extractor():
    model = small_backbone()
    batch = images()
    expected = model(batch, training=False).numpy()
    scale = np.abs(expected).max()
    np.testing.assert_allclose(XlaBackbone(model)(tf.constant(batch)).numpy(), expected, atol=1e-4 * scale)
    lite = TFLiteBackbone(model)
    graph = tf.function(lambda x: lite(x))
    found = graph(tf.constant(batch))
    assert found.shape == expected.shape
    np.testing.assert_allclose(found.numpy(), expected, atol=1e-4 * scale)
    np.testing.assert_allclose(graph(tf.constant(batch[:1, :87, :87])).numpy(),       # another shape, its own interpreter
                               model(batch[:1, :87, :87], training=False).numpy(), atol=1e-4 * scale)


@pytest.mark.parametrize("precision, tolerance", [("float16", 0.02), ("dynamic", 0.1), ("int8", 0.25)])
def test_quantized_litert_extractors_stay_close(precision, tolerance):
    model = small_backbone()
    batch = images(seed=3)
    calibration = (lambda: (images(seed=10 + i) for i in range(4))) if precision == "int8" else None
    found = TFLiteBackbone(model, precision, calibration).runner(batch)
    expected = model(batch, training=False).numpy()
    assert np.abs(found - expected).max() < tolerance * np.abs(expected).max()


def test_int8_without_calibration_images_is_an_error():
    with pytest.raises(TfLuError, match="calibration"):
        TFLiteBackbone(small_backbone(), "int8")


@pytest.mark.parametrize("text, fragment", [("runtime: onnx\n", "'runtime' must be one of keras, xla, tflite"),
                                            ("runtime: tflite\nprecision: bfloat16\n", "with runtime tflite"),
                                            ("precision: int8\n", "with runtime keras")])
def test_unknown_runtimes_and_precisions_are_one_line_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TfLuError, match=fragment):
        load_config(str(path))


def test_calibration_crops_are_the_trackers_exemplar_and_pyramid(tmp_path):
    config = load_config(None, {"track": {"scale_num": 3}})
    batches = list(calibration_batches(config))
    assert len(batches) == 2 * 48
    assert batches[0].shape == (1, 127, 127, 3) and batches[1].shape == (3, 255, 255, 3)
    assert 0 <= min(b.min() for b in batches) and max(b.max() for b in batches) <= 255


@pytest.mark.slow
@pytest.mark.parametrize("runtime, precision, tolerance", [("xla", "float32", 0.01), ("tflite", "float32", 0.01),
                                                           ("keras", "bfloat16", None)])
def test_trackers_on_other_runtimes_track_like_the_keras_tracker(runtime, precision, tolerance):
    sequence = generate_sequence(31, SyntheticConfig(num_frames=15, height=120, width=160), name="runtime")
    expected, _ = run_sequence(build_tracker("siamfc-none"), sequence)
    boxes, _ = run_sequence(build_tracker("siamfc-none", {"runtime": runtime, "precision": precision}), sequence)
    assert boxes.shape == expected.shape and np.all(np.isfinite(boxes))
    if tolerance is not None:
        assert np.abs(boxes - expected).max() <= tolerance


def test_below_float32_the_template_is_the_float32_template():
    sequence = generate_sequence(32, SyntheticConfig(num_frames=2, height=120, width=160), name="template")
    keras_tracker, fast = build_tracker("siamfc-none"), build_tracker("siamfc-none-fast")
    for tracker in (keras_tracker, fast):
        tracker.init(sequence.frame(0), sequence.boxes[0])
    np.testing.assert_array_equal(fast.state["template"].numpy(), keras_tracker.state["template"].numpy())
    assert type(fast.graph.backbone).__name__ == "FoldedBackbone"
