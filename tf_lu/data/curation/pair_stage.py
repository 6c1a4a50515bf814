"""The pair stage: which frame pairs a track gives, and writing them as pair records
(:mod:`tf_lu.data.records.pairs`).

Two kinds of source feed it.  A dataset track (:func:`track_pair_examples`, used by
:func:`~tf_lu.data.curation.curate`) gives ``pairs_per_track`` pairs of usable frames at most ``max_gap`` apart
(:func:`plan_pairs`), each frame cropped with the SiamFC curation around its own box.  Crop tracks (target-centred crops
from crop folders, full-frame folders or generated sequences, :mod:`tf_lu.data.curation.crop_sources`) give an
endless stream (:func:`pair_stream`) of plain pairs and composites (the target pasted over another sequence's crops).
"""
import numpy as np

from tf_lu.data.curation.tracks import sub_sequence, usable_frames
from tf_lu.data.pairs import EXEMPLAR_MARGIN, center_window, composite_pair, crop_track_from_sequence, sample_pair
from tf_lu.data.records.common import record_writer
from tf_lu.data.records.pairs import pair_example


def plan_pairs(usable, rng, pairs_per_track, max_gap):
    """``(i, j)`` frame pairs: ``i`` uniform over the usable frames that have a usable partner within ``max_gap``,
    ``j`` uniform over those partners."""
    usable = np.flatnonzero(usable) if usable.dtype == bool else np.asarray(usable)
    if len(usable) < 2:
        return []
    lo = np.searchsorted(usable, usable - max_gap, side="left")
    hi = np.searchsorted(usable, usable + max_gap, side="right")
    candidates = np.flatnonzero(hi - lo > 1)
    if not len(candidates):
        return []
    count = min(pairs_per_track, len(usable) * (len(usable) - 1))
    pairs = []
    for _ in range(count):
        c = candidates[rng.integers(len(candidates))]
        partners = np.concatenate([usable[lo[c]:c], usable[c + 1:hi[c]]])
        pairs.append((int(usable[c]), int(partners[rng.integers(len(partners))])))
    return pairs


def track_pair_examples(track, rng, settings):
    """Serialized pair examples of one dataset track (cropping only the frames the pairs use)."""
    pairs = plan_pairs(usable_frames(track, settings), rng, settings.pairs_per_track, settings.max_gap)
    if not pairs:
        return []
    needed = sorted({k for pair in pairs for k in pair})
    crops = crop_track_from_sequence(sub_sequence(track, needed)).crops
    position = {k: p for p, k in enumerate(needed)}
    source = f"{getattr(track, 'dataset', '')}/{track.name}"
    return [pair_example(center_window(crops[position[i]], EXEMPLAR_MARGIN), crops[position[j]], source, 0)
            for i, j in pairs]


def write_pair_shard(path, examples, rng):
    """Write serialized pair examples to ``path`` in an order shuffled by ``rng`` (atomically)."""
    with record_writer(path) as writer:
        for k in rng.permutation(len(examples)):
            writer.write(examples[k])


def pair_stream(tracks, backgrounds, rng, composite_fraction=0.5, max_gap=100):
    """An endless stream of ``(exemplar, search, source, composite)`` pairs from crop tracks: a composite with
    probability ``composite_fraction`` when there are backgrounds, else two frames of one track."""
    while True:
        if backgrounds and rng.random() < composite_fraction:
            yield (*composite_pair(tracks, backgrounds, rng, max_gap), 1)
        else:
            yield (*sample_pair(tracks, rng, max_gap), 0)
