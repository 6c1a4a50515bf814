"""A trained learned updater scored on held-out sequences at the loss level, beside never updating."""
from tf_lu.config import load_config
from tf_lu.errors import TfLuError
from tf_lu.models.networks import load_network
from tf_lu.training.meta import evaluate_updater


def score_updater(config_path, features, weights=None, hold_out=None):
    """Scores of the updater of ``config_path`` (or ``weights``) on the sequences ``hold_out`` (default: the config's
    ``meta.hold_out``) of the cached ``features``: :func:`tf_lu.training.meta.evaluate_updater`'s scores with
    ``cls_gain`` and ``peak_error_gain`` (positive: better than no update), the config and the weights."""
    config = load_config(config_path, {"meta": {"hold_out": list(hold_out)}} if hold_out else None)
    weights = weights or config.updater.learned.weights
    if not weights:
        raise TfLuError(f"{config_path} names no updater weights (key 'updater.learned.weights'); pass --weights")
    scores = evaluate_updater(config, load_network(config), features, weights)
    scores["cls_gain"] = scores["cls_none"] - scores["cls"]
    scores["peak_error_gain"] = scores["peak_error_none"] - scores["peak_error"]
    return {"config": config_path, "weights": weights, **scores}
