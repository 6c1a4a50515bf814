"""Hard negatives mined from a model's false peaks.

A trained extractor scores every pair of a pair-record folder (centre crops, no augmentation) by the margin of its
strongest false peak (:func:`false_peak_margin`), and the hardest fraction is written as a new pair-record folder.
Training mixes it with the folder it came from (``tf-lu train-extractor --records pairs:0.7 --records hard:0.3``),
so the pairs the model gets wrong are seen more often.  Pairs of one object and negative pairs are ranked apart (their
margins are on different footings: a negative pair has no target peak to beat) and the same fraction of each is kept,
so mining changes which pairs are seen, not the share of negative pairs.
"""
import os

import numpy as np
import tensorflow as tf
from tqdm import tqdm

from tf_lu.data.records.common import write_json
from tf_lu.data.records.pairs import PAIR_FEATURES, pair_files, write_pair_shards
from tf_lu.data.shard_check import verify_folder
from tf_lu.errors import TfLuError
from tf_lu.models.labels import centred_label_map


def false_peak_margin(responses, labels, negative):
    """(B,) margins of the strongest false peak, in response units (logits).

    ``responses`` (B, S, S) or (B, S, S, 1); ``labels`` (S, S), 1 where the target is; ``negative`` (B,) flags pairs of
    two different objects.  A pair of one object scores the highest response on a cell off the target minus the
    highest on the target; a negative pair, where every cell is off the target, scores its highest response.  Above 0,
    a false peak wins: the tracker would jump there (or, for a negative pair, call the other object the target).
    """
    responses = np.asarray(responses, np.float64).reshape(len(negative), -1)
    on_target = np.asarray(labels, bool).reshape(-1)
    if on_target.all() or not on_target.any():
        raise ValueError("the label map needs cells both on and off the target")
    off = responses[:, ~on_target].max(axis=1)
    on = responses[:, on_target].max(axis=1)
    return np.where(np.asarray(negative, bool), responses.max(axis=1), off - on)


def _centre_crop(image, size):
    return tf.image.resize_with_crop_or_pad(tf.cast(image, tf.float32), size, size)


def scoring_dataset(files, train_config, batch_size):
    """``(exemplars, searches, negative)`` batches of the records in ``files``, in file order: the exemplar and search
    crops cut at the centre to the training sizes, as the tracker sees an unaugmented pair."""
    def parse(record):
        example = tf.io.parse_single_example(record, PAIR_FEATURES)
        exemplar = _centre_crop(tf.io.decode_jpeg(example["exemplar"], channels=3), train_config.exemplar_size)
        search = _centre_crop(tf.io.decode_jpeg(example["search"], channels=3), train_config.instance_size)
        return exemplar, search, example["negative"]

    dataset = tf.data.TFRecordDataset(files).map(parse, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)


def score_pairs(network, files, total, train_config, total_stride, batch_size=32, progress=True):
    """``(margins, negative)``: the false-peak margin and the negative flag of each of the first ``total`` records of
    ``files`` (file order)."""
    scores, flags, labels = [], [], None
    dataset = scoring_dataset(files, train_config, batch_size).take(int(np.ceil(total / batch_size)))
    with tqdm(total=total, desc="scoring pairs", unit="pair", disable=not progress) as bar:
        for exemplars, searches, negative in dataset:
            responses = network((exemplars, searches), training=False).numpy()
            if labels is None:
                labels = centred_label_map(responses.shape[1], total_stride, train_config.positive_radius)
            negative = negative.numpy().astype(bool)
            scores.append(false_peak_margin(responses, labels, negative))
            flags.append(negative)
            bar.update(len(negative))
    if not scores:
        return np.zeros(0), np.zeros(0, bool)
    return np.concatenate(scores)[:total], np.concatenate(flags)[:total]


def hardest(margins, negative, fraction):
    """Indices (sorted) of the ``fraction`` of highest margins among the pairs of one object and, apart, among the
    negative pairs; and per kind what was kept: ``{kind: {scored, kept, threshold, false_peak_wins}}``."""
    keep, kinds = [], {}
    for kind, members in (("one_object", np.flatnonzero(~negative)), ("negative", np.flatnonzero(negative))):
        if not len(members):
            continue
        count = max(1, int(round(fraction * len(members))))
        chosen = members[np.argsort(-margins[members], kind="stable")[:count]]
        keep.extend(chosen.tolist())
        kinds[kind] = {"scored": int(len(members)), "kept": int(count), "threshold": float(margins[chosen].min()),
                       "false_peak_wins": int((margins[members] > 0).sum())}
    return sorted(keep), kinds


def write_selected(files, keep, out_dir, shards):
    """Copy the records of ``files`` whose running index is in the set ``keep`` into ``shards`` pair shards; reading
    stops at the last kept record."""
    records = tf.data.TFRecordDataset(files).take(max(keep, default=-1) + 1)
    chosen = (record.numpy() for index, record in enumerate(records) if index in keep)
    return write_pair_shards(chosen, out_dir, len(keep), shards, resume=False)


def mine_hard_pairs(network, records, out_dir, train_config, total_stride, fraction=0.25, limit=None, shards=4,
                    batch_size=32, progress=True):
    """Score the pairs of the folder ``records`` with ``network`` and write the hardest ``fraction`` of each kind
    (:func:`hardest`) to ``out_dir`` as pair records, with ``manifest.json`` (what was mined, from what, per kind the
    margins kept) and ``margins.npy`` (every scored pair's margin, in record order).  Returns the manifest."""
    if not 0.0 < fraction <= 1.0:
        raise TfLuError(f"the mined fraction must be in (0, 1], got {fraction}")
    if min(shards, batch_size, 1 if limit is None else limit) < 1:
        raise TfLuError(f"shards, batch size and limit must be at least 1, got {shards}, {batch_size}, {limit}")
    counts = verify_folder(records, "pair records", remedy="rewrite it (tf-lu make-pairs or tf-lu curate)")
    pairs = set(pair_files(records))         # a curated folder also holds sequence shards (seq-L*): no pairs
    counts = {path: count for path, count in counts.items() if path in pairs}
    total = min(limit or sum(counts.values()), sum(counts.values()))
    margins, negative = score_pairs(network, sorted(counts), total, train_config, total_stride, batch_size, progress)
    keep, kinds = hardest(margins, negative, fraction)
    if len(keep) < shards:
        raise TfLuError(f"{records}: too few pairs to mine ({len(margins)} scored, {len(keep)} to keep in {shards} "
                        f"shards)")
    written = write_selected(sorted(counts), set(keep), out_dir, shards)
    np.save(os.path.join(out_dir, "margins.npy"), margins.astype(np.float32))
    manifest = {"kind": "pairs", "count": len(keep), "shards": shards, "shard_files": written,
                "mined_from": os.path.abspath(records), "scored": int(len(margins)), "fraction": fraction, **kinds}
    write_json(os.path.join(out_dir, "manifest.json"), manifest)
    return manifest
