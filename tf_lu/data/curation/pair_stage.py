"""The pair stage: which frame pairs a track gives, and writing them as pair records
(:mod:`tf_lu.data.records.pairs`).

Two kinds of source feed it.  A dataset track (:func:`track_pair_examples`, used by
:func:`~tf_lu.data.curation.curate`) gives ``pairs_per_track`` pairs of usable frames at most ``max_gap`` apart
(:func:`plan_pairs`), each frame cropped with the SiamFC curation around its own box.  Crop tracks (target-centred crops
from crop folders, full-frame folders or generated sequences, :mod:`tf_lu.data.curation.crop_sources`) give an
endless stream (:func:`pair_stream`) of plain pairs, composites (the target pasted over another sequence's crops),
negative pairs and look-alike pairs.
"""
import numpy as np

from tf_lu.data.curation.tracks import sub_sequence, usable_frames
from tf_lu.data.pairs import (EXEMPLAR_MARGIN, ClassIndex, center_window, composite_pair, crop_track_from_sequence,
                              lookalike_pair, negative_pair, sample_pair)
from tf_lu.data.records.common import record_writer
from tf_lu.data.records.pairs import pair_example
from tf_lu.errors import TfLuError


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


def track_kind(track):
    """``synthetic`` (a generated sequence), ``still`` (an object of a photo) or ``video``."""
    return "synthetic" if track.name.startswith("synthetic") else getattr(track, "source", "video")


def _pools(tracks, shares):
    """``(pools, weights)``: the tracks of each kind with a share in ``shares`` (``{kind: share or None}``) as a pool
    drawn with that share, and every other track in one pool drawn with the rest; one pool of every track when no
    share is given.  Stills need a share: hundreds of photo objects would otherwise outweigh the videos."""
    given = {kind: share for kind, share in shares.items() if share is not None
             and any(track_kind(t) == kind for t in tracks)}
    if any(track_kind(t) == "still" for t in tracks) and "still" not in given:
        raise TfLuError("pairs from still photos need data.still_weight (the share of pairs they give)")
    pools = [[t for t in tracks if track_kind(t) == kind] for kind in given]
    weights = list(given.values())
    rest = [t for t in tracks if track_kind(t) not in given]
    if rest:
        pools.append(rest)
        weights.append(max(0.0, 1.0 - sum(weights)))
    total = sum(weights)
    if total <= 0:
        return [tracks], [1.0]
    return pools, [w / total for w in weights]


def pair_stream(tracks, backgrounds, rng, composite_fraction=0.5, max_gap=100, negative_fraction=0.0,
                lookalike_fraction=0.0, synthetic_weight=None, same_class=0.5, still_weight=None):
    """An endless stream of ``(exemplar, search, source, composite, negative)`` pairs from crop tracks.

    Each pair is a negative pair with probability ``negative_fraction``, a look-alike pair with
    ``lookalike_fraction`` (:mod:`tf_lu.data.pairs.hard`), a composite with ``composite_fraction`` (when there are
    backgrounds), else two frames of one track.  ``synthetic_weight`` / ``still_weight``: the share of pairs whose
    object is a generated sequence (``synthetic-*``) / an object of a photo; None draws every track alike."""
    pools, weights = _pools(tracks, {"synthetic": synthetic_weight, "still": still_weight})
    index = ClassIndex(tracks)
    while True:
        pool = pools[rng.choice(len(pools), p=weights)] if len(pools) > 1 else pools[0]
        draw = rng.random()
        if draw < negative_fraction and len(tracks) > 1:
            yield (*negative_pair(pool, index, rng, same_class), 0, 1)
        elif draw < negative_fraction + lookalike_fraction:
            yield (*lookalike_pair(pool, index, rng, max_gap, same_class=same_class), 0, 0)
        elif backgrounds and draw < negative_fraction + lookalike_fraction + composite_fraction:
            yield (*composite_pair(pool, backgrounds, rng, max_gap), 1, 0)
        else:
            yield (*sample_pair(pool, rng, max_gap), 0, 0)
