import pytest

from tf_lu import paper
from tf_lu.config import Config, load_config
from tf_lu.errors import TfLuError


def test_defaults_come_from_the_paper_module():
    config = Config()
    assert config.track.scale_step == paper.SIAMFC_SCALE_STEP
    assert config.updater.hidden == paper.UPDATER_HIDDEN_SIAMFC


def test_yaml_override_and_base(tmp_path):
    (tmp_path / "base.yaml").write_text("backbone: {width: 0.5}\ntrack: {scale_num: 5}\n")
    (tmp_path / "exp.yaml").write_text("base: base.yaml\nupdater: {kind: ema, alpha: 0.05}\n")
    config = load_config(str(tmp_path / "exp.yaml"))
    assert config.backbone.width == 0.5 and config.track.scale_num == 5
    assert config.updater.kind == "ema" and config.updater.alpha == 0.05


@pytest.mark.parametrize("text, fragment", [
    ("updater: {speed: 3}\n", "unknown config key 'updater.speed'"),
    ("backbone: {width: wide}\n", "backbone.width"),
    ("track: [1, 2\n", "malformed config"),
    ("- a\n- b\n", "expected a mapping"),
])
def test_bad_configs_are_one_line_errors(tmp_path, text, fragment):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TfLuError) as info:
        load_config(str(path))
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_config_file():
    with pytest.raises(TfLuError, match="not found"):
        load_config("/nonexistent/config.yaml")


def test_every_tracker_config_loads():
    from tf_lu.tracking.registry import TRACKER_CONFIG_DIR, config_tracker_names
    import os
    for name in config_tracker_names():
        load_config(os.path.join(TRACKER_CONFIG_DIR, f"{name}.yaml"))
