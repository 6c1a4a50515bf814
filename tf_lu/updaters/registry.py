"""Updater kinds -> updater classes: ``updater.kind`` in a config names one of :data:`UPDATERS`."""
from tf_lu.errors import TfLuError
from tf_lu.updaters.base import EMAUpdater, NoUpdate
from tf_lu.updaters.learned import LearnedUpdater
from tf_lu.updaters.sgd import SGDUpdater

UPDATERS = {
    "none": NoUpdate,
    "ema": EMAUpdater,
    "sgd": SGDUpdater,
    "learned": LearnedUpdater,
}


def build_updater(config):
    """The updater named by ``config.kind`` (see :data:`UPDATERS`), given its kind's section of ``config`` (an
    :class:`~tf_lu.config.UpdaterConfig`): ``config.ema``, ``config.sgd`` or ``config.learned`` (none for ``none``)."""
    if config.kind not in UPDATERS:
        raise TfLuError(f"unknown updater kind {config.kind!r}; known: {', '.join(sorted(UPDATERS))}")
    return UPDATERS[config.kind](getattr(config, config.kind, None))
