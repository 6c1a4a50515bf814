"""The input-pipeline timing (tf_lu.timing.pipeline, tf-lu time pipeline) on tiny generated records."""
import numpy as np
import pytest

from tf_lu.config import load_config
from tf_lu.errors import TfLuError

TINY = {"train": {"exemplar_size": 87, "instance_size": 127, "batch_size": 2},
        "meta": {"batch_size": 2, "unroll": 3}}


def generated_pairs(rng):
    while True:
        yield (rng.integers(0, 255, (96, 96, 3), np.uint8), rng.integers(0, 255, (136, 136, 3), np.uint8),
               "generated", 0)


@pytest.fixture(scope="module")
def records(tmp_path_factory):
    from tf_lu.data.records.pairs import write_pair_records
    from tf_lu.timing.pipeline import write_generated_features
    root = tmp_path_factory.mktemp("pipeline")
    write_pair_records(generated_pairs(np.random.default_rng(0)), str(root / "pairs"), 8, shards=2, progress=False)
    write_generated_features(str(root / "features"), shape=(6, 6, 4), length=6, sequences=4)
    return {"pairs": str(root / "pairs"), "features": str(root / "features")}


def test_pair_pipeline_rates(records):
    from tf_lu.timing.pipeline import time_pair_pipeline
    config = load_config(None, TINY)
    rates = time_pair_pipeline(records["pairs"], config.train, threads=1, batches=3, warmup=1)
    assert rates["steps_per_s"] > 0
    assert rates["pairs_per_s"] == pytest.approx(2 * rates["steps_per_s"])


def test_chunk_pipeline_rates_ordered_and_not(records):
    from tf_lu.timing.pipeline import time_chunk_pipeline
    config = load_config(None, TINY)
    for ordered in (True, False):
        rates = time_chunk_pipeline(records["features"], config.meta, threads=2, deterministic=ordered, batches=4,
                                    warmup=1)
        assert rates["frames_per_s"] == pytest.approx(2 * 3 * rates["steps_per_s"])


def test_generated_features_have_the_given_shape(records):
    from tf_lu.data.records.features import chunk_dataset
    dataset, (size, channels) = chunk_dataset(records["features"], 2, 3)
    features, absent, offsets, reset = next(iter(dataset))
    assert (size, channels) == (6, 4)
    assert features.shape == (2, 3, 6, 6, 4) and absent.shape == (2, 3) and bool(reset)


def test_table_lists_every_row_and_extrapolates_the_one_thread_rate():
    from tf_lu.timing.pipeline import pipeline_table
    rows = [{"stage": "extractor pairs", "threads": 1, "ordered": True, "steps_per_s": 2.5, "pairs_per_s": 20.0},
            {"stage": "extractor pairs", "threads": 2, "ordered": False, "steps_per_s": 4.0, "pairs_per_s": 32.0}]
    table = pipeline_table(rows, cores=(8,))
    assert "| extractor pairs | 1 | yes | 2.50 | 20.0 pairs |" in table
    assert "| extractor pairs | 2 | no | 4.00 | 32.0 pairs |" in table
    assert "| extractor pairs | 2.50 | 20 |" in table


def test_bad_counts_are_one_line_errors(tmp_path):
    import tensorflow as tf
    from tf_lu.timing.pipeline import elements_per_second, write_generated_features
    with pytest.raises(TfLuError, match="batches must be at least 1"):
        elements_per_second(tf.data.Dataset.range(3), batches=0)
    with pytest.raises(TfLuError, match="need at least one file"):
        write_generated_features(str(tmp_path), sequences=1, files=2)


def test_command_prints_the_table(records, tmp_path, capsys):
    import json
    from tf_lu.cli.main import main
    import yaml
    out, config = tmp_path / "rows.json", tmp_path / "tiny.yaml"
    config.write_text(yaml.safe_dump(TINY))
    assert main(["time", "pipeline", "--config", str(config), "--features", records["features"], "--threads", "1",
                 "--batches", "2", "--json", str(out)]) == 0
    assert "| updater chunks | 1 | yes |" in capsys.readouterr().out
    assert len(json.loads(out.read_text())) == 2
