"""Curation: tracks in, the TFRecords of both training stages out (formats in :mod:`tf_lu.data.records`).

Tracks come from two kinds of source, with one entry point each:

* ``curate(CurateSettings(...))`` (``tf-lu curate``, :mod:`.dataset_curation`): a tracking dataset read by
  :mod:`tf_lu.data.datasets`, through the track filters, into a **pair stage** and a **sequence stage**;
* ``curate_crop_pairs(out, crop_roots, frame_roots, data_config)`` (``tf-lu make-pairs``, :mod:`.crop_pairs`):
  crop tracks from crop folders, full-frame folders and procedural sequences (:mod:`.crop_sources`) into the
  **pair stage** only, with composites (the target pasted over another sequence's crops).

Both pair stages write the same pair records (:mod:`.pair_stage`, :mod:`tf_lu.data.records.pairs`).

**Dataset curation output** (one folder):

* **pair records** for the feature extractor, ``pairs-XXXXX-of-YYYYY.tfrecord`` (read by
  :func:`tf_lu.data.records.pair_dataset`): per kept track ``pairs_per_track`` pairs (at most the number of distinct
  ordered pairs) of two *usable* frames at most ``max_gap`` frames apart, cropped with the SiamFC curation
  (:func:`tf_lu.data.pairs.crop_track_from_sequence`, each frame centred on its own box) and serialized with
  :func:`tf_lu.data.records.pair_example` (exemplar = the 143 centre window of frame i, search = the 255 crop of
  frame j).  The pairs of a shard are shuffled before writing.
* **sequence records** for the learned updater, ``seq-L{length:03d}-{shard:05d}.tfrecord`` (read by
  :func:`tf_lu.data.records.sequence_buckets` / :func:`tf_lu.data.records.parse_sequence`): target-centred crop
  sequences with boxes and absent flags, serialized with :func:`tf_lu.data.records.sequence_example`
  (:mod:`.sequence_stage`).
* ``manifest.json`` (:mod:`.manifest`): dataset, root folder name, split, settings and filters, tracks kept and
  filtered (with the reason of each filtered track), shard lists, counts and bytes.

**Sequence rule.**  Per track one frame interval ``k`` is drawn uniformly from ``1..max_interval`` and every k-th
frame is taken.  The sampled frames are cut into windows of ``max_length`` (so a long track gives several
sequences).  A window starts at its first usable frame (visible, box passing the filters) so the tracker always
starts on a real box.  A window of ``n`` frames whose length is not a multiple of ``unroll`` has bucket
``L = ceil(n / unroll) * unroll`` and ``m = L - n`` missing frames; with probability ``1 - m / unroll`` it is
lengthened to ``L`` by repeating frames evenly (``round(linspace(0, n - 1, L))``: short pauses), otherwise it is cut
down to ``L - unroll`` frames, or dropped when that would leave nothing (``n < unroll``).  So a window one frame
short of its bucket is almost always padded, and a track of 2 frames is dropped 92 % of the time (unroll 25).  Bucket
lengths are therefore the multiples of ``unroll`` up to ``max_length``.

**Filters** (per track, after trimming leading and trailing absent frames; :mod:`.tracks`): a track is filtered as
``no_annotation`` (only a first box, e.g. a test split), ``too_few_visible`` (< 2 visible frames),
``mostly_absent`` (visible fraction < ``min_visible``), ``too_small`` (median ``min(w, h)`` of its visible boxes <
``min_size``), ``bad_aspect`` (median ``w / h`` outside ``aspect``), or ``too_few_usable`` (< 2 frames whose own box
passes the size and aspect filters).  Pairs are only drawn between usable frames.

**Parallel and resumable.**  The videos are split into chunks of ``videos_per_shard``; chunk ``c`` writes pair shard
``c`` and one sequence file per bucket with shard number ``c``, so every worker process (``multiprocessing``, spawn
start method; :mod:`.workers`) owns its own files (:mod:`.chunks`).  Files are written under a ``.tmp`` name and
renamed when complete, then a small marker ``.curate/<stage>-<chunk>.json`` records what the chunk wrote; a rerun
skips the chunks whose marker and files exist, so a killed run resumes where it stopped.  Random draws depend only
on ``(seed, chunk)``, so the result does not depend on the number of workers.  Settings that change the content are
kept in ``.curate/settings.json`` (:mod:`.settings`); a rerun with different ones is an error (use a new ``--out``).
"""
from tf_lu.data.curation.crop_pairs import curate_crop_pairs
from tf_lu.data.curation.dataset_curation import curate
from tf_lu.data.curation.pair_stage import pair_stream, plan_pairs
from tf_lu.data.curation.sequence_stage import plan_sequences
from tf_lu.data.curation.settings import FILTER_REASONS, STAGES, CurateSettings
from tf_lu.data.curation.tracks import filter_reason, trim_track, usable_frames

__all__ = ["FILTER_REASONS", "STAGES", "CurateSettings", "curate", "curate_crop_pairs", "filter_reason", "pair_stream",
           "plan_pairs", "plan_sequences", "trim_track", "usable_frames"]
