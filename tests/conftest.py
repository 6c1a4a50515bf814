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


FEATURE_NAMES = ("walk-a", "walk-b", "walk-c", "walk-d")


@pytest.fixture(scope="session")
def shipped_shape_features(tmp_path_factory):
    """Feature records of the shape the shipped half-width SiamFC extractor caches (22 x 22 x 128), one 25-frame
    bucket (the shipped meta.unroll) of the four sequences ``FEATURE_NAMES``, random values: enough for the updater
    commands to run on."""
    import numpy as np
    import tensorflow as tf
    from tf_lu.data.records.features import feature_example, write_feature_meta
    folder = tmp_path_factory.mktemp("features")
    rng = np.random.default_rng(0)
    with tf.io.TFRecordWriter(str(folder / "feat-L025-00000-gen.tfrecord")) as writer:
        for name in FEATURE_NAMES:
            writer.write(feature_example(name.encode(), rng.normal(0, 1, (25, 22, 22, 128)), np.zeros(25, np.int64)))
    write_feature_meta(str(folder), {"shape": [22, 22, 128], "dtype": "float16"})
    return str(folder)
