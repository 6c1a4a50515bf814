"""Hyperparameter search of tracking parameters with keras-tuner, scored by OTB AUC on training sequences.

:class:`TrackingTuner` is a keras-tuner ``BaseTuner`` whose trial builds a tracker from a config with the trial's
hyperparameters applied, runs it over the given sequences and reports mean AUC.  :func:`search_ema_alpha` is the
paper's EMA search: alpha from 0.01 to 0.20 in steps of 0.01, on training sequences, never evaluation ones.
"""
import numpy as np

from tf_lu import paper
from tf_lu.evaluation.metrics import sequence_metrics


def track_auc(tracker, sequences, progress=None):
    """Mean OTB AUC of ``tracker`` over ``sequences`` (one pass each)."""
    from tf_lu.evaluation.otb import run_sequence
    scores = []
    for sequence in sequences:
        boxes, _ = run_sequence(tracker, sequence, progress)
        scores.append(sequence_metrics(boxes, sequence.boxes)["auc"])
    return float(np.mean(scores))


def _tuner_class():
    import keras_tuner as kt

    class TrackingTuner(kt.engine.base_tuner.BaseTuner):
        """Each trial: ``make_tracker(hp) -> tracker``; objective ``auc`` on ``sequences`` (maximised)."""

        def __init__(self, oracle, make_tracker, sequences, **kwargs):
            super().__init__(oracle, hypermodel=None, **kwargs)
            self.make_tracker, self.sequences = make_tracker, sequences

        def run_trial(self, trial, *args, **kwargs):
            tracker = self.make_tracker(trial.hyperparameters)
            return {"auc": track_auc(tracker, self.sequences)}

    return kt, TrackingTuner


def _resumable_grid_oracle(kt):
    """keras-tuner's grid oracle, able to resume.

    keras-tuner 1.4.8 keeps the grid's order of trials (``_ordered_ids``) and the queue of trials to continue from
    (``_populate_next``) only in memory, so a search reloaded with ``overwrite=False`` fails with a ``KeyError`` once
    its first trial ends (keras-team/keras-tuner#1055, open).  Here both are rebuilt from the reloaded trials.
    """
    import functools

    from keras_tuner.src.tuners.gridsearch import LinkedList

    class ResumableGridSearchOracle(kt.oracles.GridSearchOracle):
        def set_state(self, state):
            super().set_state(state)
            values = lambda trial_id: self.trials[trial_id].hyperparameters.values
            ids = sorted((t for t in self.start_order if t in self.trials),
                         key=functools.cmp_to_key(lambda a, b: self._compare(values(a), values(b))))
            self._ordered_ids = LinkedList()
            for trial_id in ids:
                self._ordered_ids.insert(trial_id)
            # every finished trial may have an untried successor; populate_space skips those already tried
            self._populate_next = [t for t in self.end_order if t in self.trials]

    return ResumableGridSearchOracle


def alpha_grid():
    """The paper's grid of EMA's alpha: 0.01 to 0.20 in steps of 0.01 [P, Sec. V-A]."""
    start, stop, step = paper.EMA_ALPHA_SEARCH
    return [round(a, 2) for a in np.arange(start, stop + step / 2, step)]


def search_ema_alpha(config, sequences, directory, alphas=None, progress=True, network=None):
    """Grid-search EMA's alpha with keras-tuner; returns ``(best_alpha, {alpha: auc})``.  Resumable: trials finished
    in ``directory`` are kept and the search goes on from the next alpha.  Each trial's tracker is ``config`` (SiamFC
    or CFNet) with an EMA update of that alpha; ``network``: the network of ``config.backbone.kind`` to track with
    (default: loaded once from ``config.weights``)."""
    from tf_lu.config import with_overrides
    from tf_lu.models.networks import load_network
    from tf_lu.tracking.registry import tracker_from_config
    kt, TrackingTuner = _tuner_class()
    alphas = alphas or alpha_grid()
    network = network if network is not None else load_network(config)

    def make_tracker(hp):
        alpha = hp.Choice("alpha", alphas)
        trial = with_overrides(config, {"updater": {"kind": "ema", "ema": {"alpha": alpha}}})
        return tracker_from_config(trial, f"ema-{alpha}", network)

    oracle = _resumable_grid_oracle(kt)(objective=kt.Objective("auc", "max"), max_trials=len(alphas))
    tuner = TrackingTuner(oracle, make_tracker, sequences, directory=directory, project_name="ema_alpha",
                          overwrite=False)
    tuner.search()
    scores = {}
    for trial in tuner.oracle.trials.values():
        if trial.score is not None:
            scores[float(trial.hyperparameters.get("alpha"))] = float(trial.score)
    best = max(scores, key=scores.get)
    return best, dict(sorted(scores.items()))
