"""A trained learned updater scored on held-out sequences at the loss level, beside never updating."""
from tf_lu.atomic_files import write_json_atomic
from tf_lu.models.networks import load_network
from tf_lu.training.meta import evaluate_updater


def score_updater(config, features, weights, out=None, source=None):
    """Scores of the updater ``weights`` (of the learned-updater ``config``, loaded from ``source``) on the sequences
    ``config.meta.hold_out`` of the cached ``features``: :func:`tf_lu.training.meta.evaluate_updater`'s scores with
    ``cls_gain`` and ``peak_error_gain`` (positive: better than no update), the config and the weights; also written
    to the JSON file ``out`` when given."""
    scores = evaluate_updater(config, load_network(config), features, weights)
    scores["cls_gain"] = scores["cls_none"] - scores["cls"]
    scores["peak_error_gain"] = scores["peak_error_none"] - scores["peak_error"]
    record = {"config": source, "weights": weights, **scores}
    if out:
        write_json_atomic(out, record)
    return record
