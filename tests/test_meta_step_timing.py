"""`tf-lu time meta-step`: every part of a meta-training step is timed, for each config and precision asked."""
import json
import os

from tf_lu.cli.main import main
from tf_lu.resources import config_dir
from tf_lu.timing.meta_step import FORWARD, STEP, profile_table

CFNET_UPDATER = os.path.join(os.path.dirname(config_dir("trackers")), "updater_cfnet_conv3.yaml")
SMALL = ["--set", "updater.learned.hidden=4", "--set", "meta.batch_size=2", "--set", "meta.unroll=2",
         "--set", "track.instance_size=159"]


def test_every_part_is_timed_for_each_config_and_precision(tmp_path, capsys):
    out = tmp_path / "profile.json"
    assert main(["time", "meta-step", "--config", CFNET_UPDATER, "--label", "cfnet", "--repeats", "1",
                 "--precision", "float32,mixed_bfloat16", "--json", str(out)] + SMALL) == 0
    profiles = json.loads(out.read_text())["profiles"]
    assert list(profiles) == ["cfnet", "cfnet (mixed_bfloat16)"]
    for entry in profiles.values():
        assert entry["shape"] == {"batch": 2, "unroll": 2, "features": [29, 29, 32], "template": 21, "hidden": 4,
                                  "layers": 2}
        assert {STEP, FORWARD, "feature windows", "g: CF solve", "recurrent updater",
                "response and loss, forward and backward"} <= set(entry["ms"])
        assert all(value > 0 for value in entry["ms"].values())
    printed = capsys.readouterr().out
    assert "| whole step (forward, backward, optimiser) |" in printed and "| step speed vs cfnet | 1.00x |" in printed


def test_table_gives_the_backward_pass_as_step_less_forward():
    results = {"a": {"ms": {STEP: 10.0, FORWARD: 4.0}}, "b": {"ms": {STEP: 5.0, FORWARD: 2.0, "x": 1.0}}}
    table = profile_table(results)
    assert "| backward pass and optimiser (step - forward) | 6.0 | 3.0 |" in table
    assert "| x | - | 1.0 |" in table and "| step speed vs a | 1.00x | 2.00x |" in table


def test_threads_cannot_change_once_tensorflow_runs(capsys):
    import tensorflow as tf
    tf.constant(1.0) + 1.0          # the runtime starts
    assert main(["time", "meta-step", "--config", CFNET_UPDATER, "--threads", "1"]) == 2
    assert "--threads: TensorFlow has started already" in capsys.readouterr().err
