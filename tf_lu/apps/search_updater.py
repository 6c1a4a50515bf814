"""keras-tuner search of the learned updater: hidden units, lambda, the interval M, dropout and the unroll length H,
scored out of fold on crop walks of the training sequences (never on evaluation data).

Every trial meta-trains the updater once per fold of the crop walks (``tf-lu make-crop-walk --folds K`` writes
``folds.json``), leaving that fold's sequences out (``meta.hold_out``), and tracks the fold's crop walks with it
(:mod:`tf_lu.data.crop_walk`): the objective ``auc`` is the mean OTB AUC over all crop walks, each tracked by an
updater that never saw its sequence.  The trial's runs live in its keras-tuner trial folder and resume after a kill,
and keras-tuner's own state resumes the search: rerunning the same command continues it (finished trials are kept, an
interrupted one is run again from its last checkpoint).

In parallel, keras-tuner's chief/worker mode: start the same command with ``KERASTUNER_TUNER_ID=chief`` (it serves
the oracle at ``KERASTUNER_ORACLE_IP:KERASTUNER_ORACLE_PORT`` and writes the report when all trials are done) and with
``KERASTUNER_TUNER_ID=tuner0``, ``tuner1``, ... (each runs trials).  The report: ``trials.md`` / ``trials.json`` (every
trial, best first), ``trials.png`` and ``best_tracker.yaml`` (:mod:`tf_lu.apps.search_updater_report`).
"""
import dataclasses
import json
import os
from typing import Tuple

from tf_lu.errors import TfLuError


@dataclasses.dataclass(frozen=True)
class UpdaterSpace:
    """The searched values: choices for hidden units, M and H; ``(low, high, step)`` for lambda and dropout."""
    hidden: Tuple[int, ...] = (16, 32, 64, 96)
    anchor_lambda: Tuple[float, float, float] = (0.0, 0.8, 0.1)
    interval: Tuple[int, ...] = (1, 2, 3, 5)
    dropout: Tuple[float, float, float] = (0.0, 0.3, 0.1)
    unroll: Tuple[int, ...] = (5, 25)        # each must divide every bucket length of the features (multiples of 25)

    def declare(self, hp):
        """Declare the space on keras-tuner ``HyperParameters`` ``hp``."""
        hp.Choice("hidden", list(self.hidden))
        hp.Float("anchor_lambda", *self.anchor_lambda[:2], step=self.anchor_lambda[2])
        hp.Choice("interval", list(self.interval))
        hp.Float("dropout", *self.dropout[:2], step=self.dropout[2])
        hp.Choice("unroll", list(self.unroll))
        return hp


@dataclasses.dataclass(frozen=True)
class SearchBudget:
    """How much each trial costs: meta-training steps per fold, tracked frames per crop walk; and the trials."""
    trials: int = 8
    steps: int = 300
    steps_per_epoch: int = 50
    max_frames: int = 150
    seed: int = 0

    def __post_init__(self):
        if min(self.trials, self.steps, self.steps_per_epoch, self.max_frames) < 1:
            raise TfLuError(f"trials, steps, steps per epoch and frames must be at least 1, got {self}")


def read_folds(crop_walks):
    """The fold name lists of ``crop_walks/folds.json`` (``tf-lu make-crop-walk --folds K``)."""
    path = os.path.join(crop_walks, "folds.json")
    try:
        with open(path, encoding="utf-8") as handle:
            folds = json.load(handle)["folds"]
    except (OSError, ValueError, KeyError) as exc:
        raise TfLuError(f"cannot read the folds of {crop_walks} ({exc}); make them with tf-lu make-crop-walk "
                        "--folds 2") from None
    if len(folds) < 2 or not all(folds):
        raise TfLuError(f"{path}: need at least two non-empty folds")
    return folds


def check_unroll(space, features):
    """Every H of ``space`` must divide every bucket length of ``features``: meta-training skips a bucket it does not
    divide, and a fold's sequences there would be neither trained on nor held out."""
    from tf_lu.data.records.features import feature_buckets
    lengths = sorted(feature_buckets(features))
    bad = [h for h in space.unroll if any(length % h for length in lengths)]
    if bad:
        raise TfLuError(f"unroll {', '.join(map(str, bad))} does not divide every bucket length of {features} "
                        f"({', '.join(map(str, lengths))})")


def trial_overrides(values, hold_out, budget):
    """Config overrides of one trial's meta-training run that leaves the sequences ``hold_out`` out."""
    return {"updater": {"kind": "learned", "learned": {"hidden": int(values["hidden"]),
                                                       "dropout": float(values["dropout"]),
                                                       "interval": int(values["interval"])}},
            "meta": {"anchor_lambda": float(values["anchor_lambda"]), "unroll": int(values["unroll"]),
                     "hold_out": list(hold_out), "steps": budget.steps,
                     "steps_per_epoch": min(budget.steps, budget.steps_per_epoch), "seed": budget.seed}}


def fold_sequences(crop_walks, fold, max_frames):
    from tf_lu.data.sequences import read_otb_dataset, truncate_sequence
    return [truncate_sequence(s, max_frames) for s in read_otb_dataset(os.path.join(crop_walks, f"fold{fold}"))]


def fold_aucs(config_path, overrides, weights, sequences):
    """Per-sequence AUC of the learned tracker of ``config_path`` + ``overrides`` with updater ``weights``."""
    from tf_lu.apps.tuning import track_auc
    from tf_lu.config import load_config
    from tf_lu.tracking.registry import tracker_from_config
    learned = {**overrides["updater"]["learned"], "weights": weights}
    config = load_config(config_path, {**overrides, "updater": {**overrides["updater"], "learned": learned}})
    tracker = tracker_from_config(config, "siamfc-learned")
    return [track_auc(tracker, [sequence]) for sequence in sequences]


def out_of_fold_auc(config_path, values, features, crop_walks, trial_dir, budget):
    """Mean AUC over the crop walks of every fold, each fold tracked by the updater meta-trained without it; returns
    ``(mean, {fold: mean of that fold})``."""
    from tf_lu.config import load_config
    from tf_lu.models.networks import load_network
    from tf_lu.training.meta import train_updater
    scores, per_fold = [], {}
    for fold, names in enumerate(read_folds(crop_walks)):
        overrides = trial_overrides(values, names, budget)
        config = load_config(config_path, overrides)
        out = os.path.join(trial_dir, f"fold{fold}")
        train_updater(config, load_network(config), features, out, verbose=0)
        aucs = fold_aucs(config_path, overrides, os.path.join(out, "updater.weights.h5"),
                         fold_sequences(crop_walks, fold, budget.max_frames))
        per_fold[fold] = sum(aucs) / len(aucs)
        scores += aucs
    return sum(scores) / len(scores), per_fold


def _tuner_class():
    import keras_tuner as kt

    class UpdaterTuner(kt.engine.base_tuner.BaseTuner):
        """Each trial: :func:`out_of_fold_auc` of the trial's values (objective ``auc``, maximised)."""

        def __init__(self, oracle, score, **kwargs):
            super().__init__(oracle, hypermodel=None, **kwargs)
            self.score = score

        def run_trial(self, trial, *args, **kwargs):
            mean, per_fold = self.score(trial.hyperparameters.values, self.get_trial_dir(trial.trial_id))
            return {"auc": mean, **{f"auc_fold{k}": v for k, v in per_fold.items()}}

    return kt, UpdaterTuner


def make_tuner(out, score, space=UpdaterSpace(), budget=SearchBudget()):
    """The keras-tuner random search of ``space`` in ``out/updater_search`` (reloaded when it exists)."""
    kt, UpdaterTuner = _tuner_class()
    oracle = kt.oracles.RandomSearchOracle(objective=kt.Objective("auc", "max"), max_trials=budget.trials,
                                           hyperparameters=space.declare(kt.HyperParameters()),
                                           allow_new_entries=False, seed=budget.seed)
    return UpdaterTuner(oracle, score, directory=out, project_name="updater_search", overwrite=False)


def is_reporting_process():
    """True outside keras-tuner's parallel mode and on its chief (the workers only run trials)."""
    from keras_tuner.src.distribute import utils
    return not utils.has_chief_oracle() or utils.is_chief_oracle()


def search_fingerprints(config_path, features, crop_walks, space, budget):
    """What the search's trials depend on: the config and its weights, the cached features (file names and sizes),
    the crop walks and their folds, the space and the budget of a trial (more trials continue the same search;
    :mod:`tf_lu.fingerprints`)."""
    from tf_lu.config import load_config, to_dict
    from tf_lu.data.sequences import read_otb_dataset
    from tf_lu.fingerprints import config_fingerprint, folder_fingerprint, sequence_fingerprint
    from tf_lu.tracking.registry import weight_files
    config, folds, walks = load_config(config_path), read_folds(crop_walks), {}
    for k in range(len(folds)):
        sequences = read_otb_dataset(os.path.join(crop_walks, f"fold{k}"))
        walks[f"fold{k}"] = {s.name: sequence_fingerprint(s) for s in sequences}
    return {"config": config_fingerprint(to_dict(config), weight_files(config)),
            "features": folder_fingerprint(features), "crop_walks": walks, "folds": folds,
            "space": dataclasses.asdict(space),
            "budget": {k: v for k, v in dataclasses.asdict(budget).items() if k != "trials"}}


def search_updater(config_path, features, crop_walks, out, space=UpdaterSpace(), budget=SearchBudget()):
    """Run (or continue) the search; on the reporting process write the report into ``out`` and return its rows (best
    first), elsewhere return None.  The search continues only on unchanged inputs (:func:`search_fingerprints`; a
    change is a one-line error naming it)."""
    from tf_lu.apps.search_updater_report import trial_rows, write_report
    from tf_lu.fingerprints import keep_record
    read_folds(crop_walks)
    check_unroll(space, features)
    keep_record(out, os.path.isdir(os.path.join(out, "updater_search")),
                search_fingerprints(config_path, features, crop_walks, space, budget))
    score = lambda values, trial_dir: out_of_fold_auc(config_path, values, features, crop_walks, trial_dir, budget)
    tuner = make_tuner(out, score, space, budget)
    tuner.search()
    if not is_reporting_process():
        return None
    rows = trial_rows(tuner.oracle)
    write_report(rows, out, config_path, {"features": features, "crop_walks": crop_walks, **dataclasses.asdict(budget)})
    return rows
