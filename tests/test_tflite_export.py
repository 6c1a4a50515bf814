"""The LiteRT (TFLite) export: its host code crops like the tracker's TensorFlow crop, its matrix upsampling is the
bicubic resize, and the export tracks like the Keras tracker in a process where neither tf_lu nor TensorFlow can be
imported (``track_tflite.py``, the same file as ``examples/track_tflite.py``)."""
import os

import numpy as np
import pytest
import tensorflow as tf

from conftest import ROOT
from test_serving import run_without
from tf_lu.data.sequences import read_otb_sequence, write_otb_folder
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError
from tf_lu.evaluation.otb import load_results_file, run_sequence
from tf_lu.export import litert_host
from tf_lu.export.tflite import export_tflite
from tf_lu.geometry.crops import crop_tf
from tf_lu.models.upsampling import bicubic_matrix, upsample
from tf_lu.tracking.registry import build_tracker

EXAMPLE = os.path.join(ROOT, "examples", "track_tflite.py")


def run_blocked(tmp_path, *args):
    """``python -I`` running ARGS in ``tmp_path`` with tf_lu, TensorFlow and Keras unimportable."""
    return run_without(tmp_path, ["tf_lu", "tensorflow", "keras"], *args)


def test_the_example_is_the_host_code_the_export_carries():
    with open(EXAMPLE, encoding="utf-8") as example, open(litert_host.__file__, encoding="utf-8") as host:
        assert example.read() == host.read()


@pytest.mark.parametrize("center, sides", [((60.3, 41.7), (30.2, 33.9, 37.5)), ((3.2, 5.9), (41.0, 44.4, 48.3)),
                                           ((150.0, 20.0), (200.0,))])
def test_the_host_crop_is_the_tensorflow_crop(center, sides):
    image = np.random.default_rng(0).integers(0, 256, (90, 120, 3), dtype=np.uint8)
    expected = crop_tf(image, np.float32(center), np.float32(sides), 31).numpy()
    found = litert_host.crop(image, np.float32(center), np.float32(sides), 31)
    # the same sample positions and weights in float32, blended in another order; outside, the image mean
    np.testing.assert_allclose(found, expected, atol=1e-3)


def test_the_upsampling_matrix_is_the_bicubic_resize():
    responses = tf.random.normal([3, 17, 17], seed=4)
    expected = tf.image.resize(responses[..., None], [272, 272], method="bicubic")[..., 0]
    np.testing.assert_allclose(upsample(responses, bicubic_matrix(17, 272)), expected, atol=1e-5)


def test_updates_without_a_litert_form_and_used_folders_are_errors(tmp_path):
    for name, fragment in (("siamfc-ema", "covers the updates"), ("siamfc-sgd", "covers the updates"),
                           ("opencv-kcf", "OpenCV")):
        with pytest.raises(TfLuError, match=fragment):
            export_tflite(name, str(tmp_path / name))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(TfLuError, match="not empty"):
        export_tflite("siamfc-none", str(tmp_path / "used"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["siamfc-none", "siamfc-learned"])
def test_the_float32_export_tracks_like_the_keras_tracker_without_tf_lu_or_tensorflow(tmp_path, name):
    model = tmp_path / "model"
    result = export_tflite(name, str(model))
    assert {"backbone.tflite", "start.tflite", "locate.tflite", "tracker.json", "track_tflite.py",
            "MODEL_CARD.md"} <= set(result["files"])
    sequence = generate_sequence(23, SyntheticConfig(num_frames=12, height=120, width=160), name="lite")
    write_otb_folder(sequence, str(tmp_path / "data" / "lite"))
    expected, _ = run_sequence(build_tracker(name), read_otb_sequence(str(tmp_path / "data" / "lite")))

    (tmp_path / "check.py").write_text("import tensorflow\n")
    blocked = run_blocked(tmp_path, tmp_path / "check.py")
    assert blocked.returncode != 0 and "No module named 'tensorflow'" in blocked.stderr
    lite = run_blocked(tmp_path, model / "track_tflite.py", "--model", model, "--data", tmp_path / "data",
                       "--out", tmp_path / "results")
    assert lite.returncode == 0, lite.stderr[-2000:]
    boxes = load_results_file(str(tmp_path / "results" / "lite.txt"))
    assert boxes.shape == expected.shape
    assert np.abs(boxes - expected).max() <= 0.5


@pytest.mark.slow
def test_a_quantized_export_makes_its_template_in_float32_and_tracks(tmp_path):
    model = tmp_path / "model"
    result = export_tflite("siamfc-none", str(model), precision="dynamic")
    assert "exemplar.tflite" in result["files"]
    sequence = generate_sequence(24, SyntheticConfig(num_frames=8, height=120, width=160), name="quantized")
    keras_tracker, lite = build_tracker("siamfc-none"), litert_host.LiteRTTracker(str(model))
    keras_tracker.init(sequence.frame(0), sequence.boxes[0])
    lite.init(sequence.frame(0), sequence.boxes[0])
    np.testing.assert_allclose(lite.state["template"], keras_tracker.state["template"].numpy(), atol=1e-3)
    boxes, _ = run_sequence(lite, sequence)
    expected, _ = run_sequence(keras_tracker, sequence)
    assert np.all(np.isfinite(boxes)) and np.abs(boxes - expected).max() < 10.0
