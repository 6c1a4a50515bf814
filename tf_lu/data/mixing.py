"""Mix several curated record sets with weights, streaming from disk.

``--records a:0.7 --records b:0.3`` on the command line becomes ``[("a", 0.7), ("b", 0.3)]`` through
:func:`parse_weighted_paths`; :func:`mixed_pair_dataset` draws each training pair from set ``a`` with probability
0.7 and from ``b`` with 0.3 (``tf.data.Dataset.sample_from_datasets`` over :func:`tf_lu.data.records.pair_dataset`'s
parsing and augmentation of each set), so no set has to fit in memory and a small set is simply repeated more often.
"""
import os

import numpy as np

from tf_lu.errors import TfLuError


def parse_weighted_path(text):
    """``"path"`` -> ``(path, 1.0)``; ``"path:0.7"`` -> ``(path, 0.7)``.  Only a final ``:number`` is a weight, so
    paths with colons in them still work."""
    text = str(text)
    if ":" in text:
        path, suffix = text.rsplit(":", 1)
        try:
            weight = float(suffix)
        except ValueError:
            return text, 1.0
        if not path:
            raise TfLuError(f"--records {text!r}: no path before the weight")
        if not np.isfinite(weight) or weight <= 0:
            raise TfLuError(f"--records {text!r}: the weight must be a positive number")
        return path, weight
    return text, 1.0


def parse_weighted_paths(items):
    """A list of ``path[:weight]`` strings (or ``(path, weight)`` pairs) -> list of ``(path, weight)``."""
    pairs = []
    for item in items:
        path, weight = (item if isinstance(item, (tuple, list)) else parse_weighted_path(item))
        weight = float(weight)
        if not np.isfinite(weight) or weight <= 0:
            raise TfLuError(f"records {path!r}: the weight must be a positive number, got {weight}")
        pairs.append((str(path), weight))
    if not pairs:
        raise TfLuError("no records given")
    return pairs


def normalized_weights(paths_with_weights):
    pairs = parse_weighted_paths(paths_with_weights)
    total = sum(w for _, w in pairs)
    return [(p, w / total) for p, w in pairs]


def mixed_pair_dataset(paths_with_weights, train_config, total_stride=8, repeat=True, shuffle=2048):
    """``((exemplars, searches), labels)`` batches for ``model.fit``, mixing the pair records of several folders.

    ``paths_with_weights`` is a folder, a list of folders, of ``"folder:weight"`` strings or of ``(folder, weight)``
    pairs.  A single folder gives exactly :func:`tf_lu.data.records.pair_dataset`.  Otherwise every folder is parsed and
    augmented by ``pair_dataset`` (each with its own shuffle buffer, repeated), the streams are sampled with the
    normalized weights and batched.  ``repeat=False`` stops when the first set runs out (``stop_on_empty_dataset``).
    """
    import tensorflow as tf
    from tf_lu.data.records.pairs import pair_dataset
    if isinstance(paths_with_weights, (str, os.PathLike)):
        paths_with_weights = [os.fspath(paths_with_weights)]
    pairs = normalized_weights(paths_with_weights)
    if len(pairs) == 1:
        return pair_dataset(pairs[0][0], train_config, total_stride, repeat=repeat, shuffle=shuffle)
    streams = [pair_dataset(path, train_config, total_stride, repeat=repeat, shuffle=shuffle).unbatch()
               for path, _ in pairs]
    mixed = tf.data.Dataset.sample_from_datasets(streams, weights=[w for _, w in pairs], seed=train_config.seed,
                                                 stop_on_empty_dataset=not repeat)
    return mixed.batch(train_config.batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def mixed_sequence_files(paths_with_weights):
    """``{bucket length: [(file, weight), ...]}`` over the sequence records of several folders.

    Each folder's weight (normalized over the folders) is shared equally among its files of that bucket, so a
    trainer that draws files by weight draws the folders in the given proportions within every bucket."""
    from tf_lu.data.records.sequences import sequence_buckets
    if isinstance(paths_with_weights, (str, os.PathLike)):
        paths_with_weights = [os.fspath(paths_with_weights)]
    mixed = {}
    for path, weight in normalized_weights(paths_with_weights):
        for length, files in sequence_buckets(path).items():
            mixed.setdefault(length, []).extend((f, weight / len(files)) for f in files)
    return dict(sorted(mixed.items()))
