"""Shared test settings and fixtures.

``tf_lu`` is importable because the README's set-up installs the checkout (``-e .`` in requirements.txt); tests never
edit ``sys.path``.  Real data is read from ``../shared/data`` when present; tests that need it use
``needs_shared_data`` (they are skipped cleanly where it is absent).
"""
import os

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_DATA = os.path.join(os.path.dirname(ROOT), "shared", "data")
EVAL_DEV = os.path.join(SHARED_DATA, "eval_dev")

needs_shared_data = pytest.mark.skipif(not os.path.isdir(EVAL_DEV), reason="../shared/data is absent")


@pytest.fixture(scope="session")
def generated_otb_folder(tmp_path_factory):
    """Two short generated sequences written in OTB layout (``<folder>/<seq>/img/0001.jpg``, ``groundtruth_rect.txt``)."""
    from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder
    folder = tmp_path_factory.mktemp("generated_otb")
    for sequence in generate_dataset(3, 2, SyntheticConfig(num_frames=8, height=96, width=128)):
        write_otb_folder(sequence, str(folder / sequence.name))
    return str(folder)
