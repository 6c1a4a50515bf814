"""TensorFlow's C++ start-up notices are kept off stderr; everything else written during the import still reaches it."""
import os
import subprocess
import sys
import textwrap

from tf_lu.cli.quiet_tensorflow import kept_lines

NOTICES = ("WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
           "I0000 00:00:1796633676.052210    2403 port.cc:153] oneDNN custom operations are on. You may see slightly "
           "different numerical results due to floating-point round-off errors from different computation orders. To "
           "turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.\n"
           "I0000 00:00:1796633716.296850    2566 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to "
           "use available CPU instructions in performance-critical operations.\n"
           "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
           "appropriate compiler flags.\n")


def run_python(code, tmp_path, **env):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          cwd=tmp_path, env={**os.environ, **env}, timeout=300)


def test_start_up_notices_are_dropped_and_other_lines_kept():
    other = "E0000 00:00:1.0    1 some.cc:1] a real error\nUserWarning: something the user should see\n"
    assert kept_lines(NOTICES + other) == other
    assert kept_lines("") == ""


def test_a_module_loaded_quietly_keeps_its_other_output(tmp_path):
    """The loader wrapper on a stand-in module that writes notices and a real line to file descriptor 2."""
    (tmp_path / "noisy.py").write_text(f"import os\nos.write(2, {(NOTICES + 'a real line').encode()!r})\nVALUE = 7\n")
    result = run_python("""
        import importlib.util, sys
        from tf_lu.cli.quiet_tensorflow import _QuietLoader
        spec = importlib.util.spec_from_file_location("noisy", "noisy.py")
        spec.loader = _QuietLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(module.VALUE)
    """, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "7"
    assert result.stderr == "a real line"


def test_a_failing_import_shows_everything_it_wrote(tmp_path):
    (tmp_path / "broken.py").write_text(f"import os\nos.write(2, {NOTICES.encode()!r})\nraise ImportError('no')\n")
    result = run_python("""
        import importlib.util
        from tf_lu.cli.quiet_tensorflow import _QuietLoader
        spec = importlib.util.spec_from_file_location("broken", "broken.py")
        spec.loader = _QuietLoader(spec.loader)
        spec.loader.exec_module(importlib.util.module_from_spec(spec))
    """, tmp_path)
    assert result.returncode != 0
    assert result.stderr.startswith(NOTICES) and "ImportError: no" in result.stderr


def test_tensorflow_and_keras_import_without_a_line_on_stderr(tmp_path):
    """With oneDNN forced on (as on CPUs with AVX-512), TensorFlow loads through Keras and runs an op silently."""
    result = run_python("""
        from tf_lu.cli import quiet_tensorflow
        quiet_tensorflow.install()
        import keras
        import tensorflow as tf
        print(float(tf.reduce_sum(tf.ones((3, 3)))), keras.ops.shape(tf.zeros((2, 5))))
    """, tmp_path, TF_ENABLE_ONEDNN_OPTS="1", TF_CPP_MIN_LOG_LEVEL="2")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == "9.0"
    assert result.stderr == ""


def test_the_retracing_warning_is_dropped_and_other_records_kept():
    import logging
    from tf_lu.cli.quiet_tensorflow import DropRetracing
    record = lambda message: logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, None, None)  # noqa
    drop = DropRetracing()
    assert not drop.filter(record("5 out of the last 5 calls to <bound method TrackingStep._init of <...>> triggered "
                                  "tf.function retracing. Tracing is expensive ..."))
    assert drop.filter(record("a real warning"))
