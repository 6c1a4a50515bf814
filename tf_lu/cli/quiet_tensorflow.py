"""TensorFlow imported without its C++ start-up lines reaching the user's terminal.

On CPUs with AVX-512, TensorFlow turns its oneDNN operations on and its native libraries announce it while they load,
through absl before absl's logging is initialised: ``WARNING: All log messages before absl::InitializeLog() ...``
and ``I0000 ... port.cc:...] oneDNN custom operations are on ...``, once per library.  ``TF_CPP_MIN_LOG_LEVEL`` does
not reach these lines, and ``TF_ENABLE_ONEDNN_OPTS=0`` would silence them only by turning oneDNN off.

:func:`install` puts a finder in front of ``sys.meta_path`` that runs the first ``import tensorflow`` (direct, or
through Keras) with file descriptor 2 pointed at a temporary file.  Afterwards the start-up notices are dropped and
anything else written meanwhile goes to stderr as it was; if the import fails, everything captured goes to stderr.

Once TensorFlow is imported, its Python logger also drops one warning, "N out of the last M calls to <...> triggered
tf.function retracing": every tracker of a run traces its own step once (a benchmark builds ten), which TensorFlow's
heuristic, counting the traces of one method over all instances, takes for excessive retracing (:class:`DropRetracing`).
"""
import logging
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile

STARTUP_NOTICE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|I\d{4} [\d:.]+\s+\d+ (port|cpu_feature_guard)\.cc:\d+\]"
    r"|To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags\.)")
PACKAGE = "tensorflow"
RETRACING = "triggered tf.function retracing"


class DropRetracing(logging.Filter):
    """Drops TensorFlow's retracing warning (see the module docstring); every other record passes."""

    def filter(self, record):
        return RETRACING not in record.getMessage()


def kept_lines(text):
    """The lines of ``text`` that are not TensorFlow's start-up notices, each with its line end."""
    return "".join(line for line in text.splitlines(keepends=True) if not STARTUP_NOTICE.match(line))


class _StderrCapture:
    """File descriptor 2 (and ``sys.stderr``, which writes to it) into a temporary file while inside the block."""

    def __enter__(self):
        sys.stderr.flush()
        self._file = tempfile.TemporaryFile()
        self._saved = os.dup(2)
        os.dup2(self._file.fileno(), 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self._saved, 2)
        os.close(self._saved)
        self._file.seek(0)
        self.text = self._file.read().decode("utf-8", "replace")
        self._file.close()
        return False


class _QuietLoader(importlib.abc.Loader):
    """The real loader of ``tensorflow``, its module run with stderr captured (see the module docstring)."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):           # get_resource_reader, is_package, get_data, ...: the real loader's
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        capture = _StderrCapture()
        try:
            with capture:
                self._loader.exec_module(module)
        except BaseException:
            sys.stderr.write(capture.text)
            raise
        sys.stderr.write(kept_lines(capture.text))
        sys.stderr.flush()
        logging.getLogger(PACKAGE).addFilter(DropRetracing())


class _QuietFinder(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` as the path finder does, and hands its loader to :class:`_QuietLoader`."""

    def find_spec(self, name, path=None, target=None):
        if name != PACKAGE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def install():
    """Make the first ``import tensorflow`` of this process quiet (a no-op once it is imported or installed)."""
    if PACKAGE in sys.modules or any(isinstance(f, _QuietFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _QuietFinder())
