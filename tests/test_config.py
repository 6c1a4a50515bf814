import os

import pytest

from tf_lu import paper
from conftest import ROOT
from tf_lu.config import Config, load_config
from tf_lu.errors import TfLuError


def test_defaults_come_from_the_paper_module():
    config = Config()
    assert config.track.scale_step == paper.SIAMFC_SCALE_STEP
    assert config.updater.learned.hidden == paper.UPDATER_HIDDEN_SIAMFC


def test_yaml_override_and_base(tmp_path):
    (tmp_path / "base.yaml").write_text("backbone: {width: 0.5}\ntrack: {scale_num: 5}\n")
    (tmp_path / "exp.yaml").write_text("base: base.yaml\nupdater: {kind: ema, ema: {alpha: 0.05}}\n")
    config = load_config(str(tmp_path / "exp.yaml"))
    assert config.backbone.width == 0.5 and config.track.scale_num == 5
    assert config.updater.kind == "ema" and config.updater.ema.alpha == 0.05


def _load_error(tmp_path, text):
    """The TfLuError message of loading a config file holding ``text``."""
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TfLuError) as info:
        load_config(str(path))
    return str(info.value)


@pytest.mark.parametrize("text, fragment", [
    ("updater: {speed: 3}\n", "unknown config key 'updater.speed'"),
    ("backbone: {width: wide}\n", "backbone.width"),
    ("track: [1, 2\n", "malformed config"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_bad_configs_are_one_line_errors(tmp_path, text, fragment):
    message = _load_error(tmp_path, text)
    assert fragment in message
    assert "\n" not in message


def test_missing_config_file():
    with pytest.raises(TfLuError, match="not found"):
        load_config("/nonexistent/config.yaml")


def test_every_tracker_config_loads():
    from tf_lu.tracking.registry import TRACKER_CONFIG_DIR, config_tracker_names
    import os
    for name in config_tracker_names():
        load_config(os.path.join(TRACKER_CONFIG_DIR, f"{name}.yaml"))


def _shipped_yaml_files():
    from tf_lu.resources import shipped_dir
    root = shipped_dir("configs")
    return sorted(os.path.relpath(os.path.join(base, name), root)
                  for base, _, names in os.walk(root) for name in names if name.endswith((".yaml", ".yml")))


@pytest.mark.parametrize("relative", _shipped_yaml_files())
def test_every_shipped_yaml_file_loads_and_its_files_exist(relative):
    from tf_lu.resources import config_dir
    config = load_config(config_dir(relative))
    for path in (config.weights, config.updater.learned.weights):
        assert path is None or (os.path.isabs(path) and os.path.isfile(path)), path


def test_relative_paths_are_resolved_against_the_file_that_names_them(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "base.yaml").write_text("weights: w.h5\nupdater: {learned: {weights: ../u.h5}}\n")
    (tmp_path / "exp.yaml").write_text("base: sub/base.yaml\n")
    config = load_config(str(tmp_path / "exp.yaml"))
    assert config.weights == str(tmp_path / "sub" / "w.h5")
    assert config.updater.learned.weights == str(tmp_path / "u.h5")


@pytest.mark.parametrize("files, fragment", [
    ({"a.yaml": "base: a.yaml\n"}, "chain returns"),
    ({"a.yaml": "base: b.yaml\n", "b.yaml": "base: a.yaml\n"}, "chain returns"),
    ({"a.yaml": "base: 3\n"}, "'base' must be the path"),
    ({"a.yaml": "base: {x: 1}\n"}, "'base' must be the path"),
])
def test_bad_base_chains_are_one_line_errors(tmp_path, files, fragment):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(TfLuError, match=fragment) as info:
        load_config(str(tmp_path / "a.yaml"))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text, key", [
    ("track: {scale_num: 0}\n", "track.scale_num"),
    ("track: {scale_num: 4}\n", "track.scale_num"),
    ("track: {scale_num: -3}\n", "track.scale_num"),
    ("track: {instance_size: 100}\n", "track.instance_size"),
    ("track: {exemplar_size: 0}\n", "track.exemplar_size"),
    ("track: {total_stride: 0}\n", "track.total_stride"),
    ("track: {scale_step: -1.0}\n", "track.scale_step"),
    ("track: {window_influence: 1.5}\n", "track.window_influence"),
    ("track: {scale_lr: .nan}\n", "track.scale_lr"),
    ("track: {min_size: 0}\n", "track.min_size"),
    ("backbone: {width: 0}\n", "backbone.width"),
    ("updater: {ema: {alpha: -0.1}}\n", "updater.ema.alpha"),
    ("updater: {learned: {interval: 0}}\n", "updater.learned.interval"),
    ("updater: {learned: {dropout: 1.0}}\n", "updater.learned.dropout"),
    ("updater: {sgd: {lr: .inf}}\n", "updater.sgd.lr"),
    ("updater: {sgd: {set_size: 0}}\n", "updater.sgd.set_size"),
    ("train: {steps: 0}\n", "train.steps"),
    ("train: {steps_per_epoch: -5}\n", "train.steps_per_epoch"),
    ("train: {instance_size: 127}\n", "train.instance_size"),
    ("train: {batch_size: 0}\n", "train.batch_size"),
    ("data: {composite_fraction: 2}\n", "data.composite_fraction"),
    ("data: {shards: 0}\n", "data.shards"),
    ("meta: {reverse_prob: -0.5}\n", "meta.reverse_prob"),
    ("meta: {anchor_lambda: 1.2}\n", "meta.anchor_lambda"),
    ("meta: {unroll: 0}\n", "meta.unroll"),
    ("meta: {steps: 0}\n", "meta.steps"),
    ("track: {scale_num: 17}\n", "track.scale_num"),
    ("track: {response_up: 65}\n", "track.response_up"),
    ("track: {instance_size: 4096}\n", "track.instance_size"),
])
def test_values_out_of_range_name_the_key(tmp_path, text, key):
    message = _load_error(tmp_path, text)
    assert f"'{key}'" in message and "\n" not in message


def test_values_are_checked_after_the_whole_base_chain(tmp_path):
    # the base alone has an instance crop smaller than the default exemplar; the child fixes it
    (tmp_path / "base.yaml").write_text("track: {exemplar_size: 63}\n")
    (tmp_path / "child.yaml").write_text("base: base.yaml\ntrack: {instance_size: 127}\n")
    config = load_config(str(tmp_path / "child.yaml"))
    assert config.track.instance_size == 127
    with pytest.raises(TfLuError, match="track.scale_num"):
        load_config(str(tmp_path / "child.yaml"), {"track": {"scale_num": 2}})


@pytest.mark.parametrize("text, old, new", [
    ("updater: {kind: ema, alpha: 0.03}\n", "updater.alpha", "updater.ema.alpha"),
    ("updater:\n  kind: sgd\n  sgd_lr: 5.0\n", "updater.sgd_lr", "updater.sgd.lr"),
    ("updater: {sgd_long_term_iters: 3}\n", "updater.sgd_long_term_iters", "updater.sgd.long_term_iters"),
    ("updater: {hidden: 64}\n", "updater.hidden", "updater.learned.hidden"),
    ("updater: {updater_weights: u.h5}\n", "updater.updater_weights", "updater.learned.weights"),
])
def test_a_method_key_at_the_top_of_the_updater_section_names_its_place(tmp_path, text, old, new):
    message = _load_error(tmp_path, text)
    assert f"'{old}'" in message and f"'{new}'" in message and "\n" not in message


def test_an_old_updater_key_fails_on_the_command_line_with_one_line(tmp_path, capsys, generated_otb_folder):
    from tf_lu.cli.main import main
    path = tmp_path / "my-ema.yaml"
    base = os.path.join(ROOT, "configs", "trackers", "siamfc-ema.yaml")
    path.write_text(f"base: {base}\nupdater:\n  alpha: 0.03\n")
    out = str(tmp_path / "o")
    assert main(["benchmark", "--data", generated_otb_folder, "--trackers", str(path), "--out", out]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "'updater.alpha'" in lines[0] and "'updater.ema.alpha'" in lines[0], lines


def test_each_rule_stands_beside_its_field():
    """Every numeric field of every section names a rule (so none goes unchecked), and every rule name is known."""
    import dataclasses
    from tf_lu.config import RULES

    def fields(part, where):
        for field in dataclasses.fields(part):
            value = getattr(part, field.name)
            if dataclasses.is_dataclass(value):
                yield from fields(value, f"{where}{field.name}.")
            else:
                yield f"{where}{field.name}", field, value

    unchecked = [path for path, field, value in fields(Config(), "")
                 if isinstance(value, (int, float)) and not isinstance(value, bool) and "rule" not in field.metadata]
    assert unchecked == []
    assert all(field.metadata["rule"] in RULES for _, field, _ in fields(Config(), "") if "rule" in field.metadata)
