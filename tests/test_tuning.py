"""The keras-tuner EMA search (tf_lu/tuning.py): it scores every alpha and resumes after a kill."""
import pytest

from tf_lu.apps import tuning
from tf_lu.config import load_config
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.models.siamfc import SiamFCNet
from tf_lu.resources import shipped_config


def test_ema_search_resumes_after_a_kill(tmp_path, monkeypatch):
    config = load_config(shipped_config("siamfc_half"))
    network = SiamFCNet(config.backbone.width).build_for()          # untrained: the search, not the score, is tested
    sequences = [generate_sequence(3, SyntheticConfig(num_frames=4, height=96, width=128), name="s")]
    real, calls = tuning.track_auc, []

    def killed_on_second_trial(tracker, seqs, progress=None):
        calls.append(tracker.name)
        if len(calls) == 2:
            raise KeyboardInterrupt   # as a kill in the middle of the second trial
        return real(tracker, seqs)

    monkeypatch.setattr(tuning, "track_auc", killed_on_second_trial)
    with pytest.raises(KeyboardInterrupt):
        tuning.search_ema_alpha(config, sequences, str(tmp_path), alphas=[0.01, 0.02, 0.03], network=network)
    assert calls == ["ema-0.01", "ema-0.02"]

    calls.clear()
    monkeypatch.setattr(tuning, "track_auc", lambda tracker, seqs, progress=None: (calls.append(tracker.name),
                                                                                   real(tracker, seqs))[1])
    best, scores = tuning.search_ema_alpha(config, sequences, str(tmp_path), alphas=[0.01, 0.02, 0.03],
                                           network=network)
    assert calls == ["ema-0.02", "ema-0.03"]     # the killed trial is run again, the finished one is kept
    assert sorted(scores) == [0.01, 0.02, 0.03] and best in scores
    assert all(0.0 <= auc <= 1.0 for auc in scores.values())


def test_search_ema_on_a_cfnet_config_tracks_with_cfnet_and_each_alpha(tmp_path, monkeypatch, capsys,
                                                                      generated_otb_folder):
    """``tf-lu search ema`` on the shipped CFNet EMA config: every trial's tracker is CFNet's (its filter head and
    stride) with an EMA update of the trial's alpha, built by the one tracker builder."""
    import json

    from tf_lu.cli.main import main
    from tf_lu.models.heads import CFNetHead
    from tf_lu.updaters.base import EMAUpdater
    real, seen = tuning.track_auc, []

    def recording(tracker, seqs, progress=None):
        seen.append((type(tracker.head), tracker.cfg.total_stride, type(tracker.updater), tracker.updater.alpha))
        return real(tracker, seqs)

    monkeypatch.setattr(tuning, "track_auc", recording)
    out = tmp_path / "search"
    code = main(["search", "ema", "--config", shipped_config("trackers/cfnet-ema"), "--data", generated_otb_folder,
                 "--out", str(out), "--max-frames", "3", "--alphas", "0.01,0.05"])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert seen == [(CFNetHead, 4, EMAUpdater, 0.01), (CFNetHead, 4, EMAUpdater, 0.05)]
    record = json.loads((out / "ema_search.json").read_text())
    assert sorted(record["auc"]) == ["0.01", "0.05"] and record["best"] in (0.01, 0.05)
    assert stdout.splitlines()[-1].startswith("best alpha: ")
