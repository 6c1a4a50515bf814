"""The pair stage over crop tracks (:mod:`tf_lu.data.curation.crop_sources`): ``data_config.pairs`` pairs, plain,
composite, negative and look-alike (:func:`~tf_lu.data.curation.pair_stage.pair_stream`), written as pair records in ``data_config.shards``
shards with a manifest (:func:`tf_lu.data.records.pairs.write_pair_records`; finished shards are kept on a rerun)."""
import os

import numpy as np

from tf_lu.config import DataConfig
from tf_lu.data.curation.crop_sources import gather_crop_tracks, still_sources
from tf_lu.data.curation.pair_stage import pair_stream
from tf_lu.data.records.pairs import write_pair_records


def curate_crop_pairs(out_dir, crop_roots=(), frame_roots=(), data_config=None, seed=0, progress=True,
                      still_roots=()):
    """Write ``data_config.pairs`` pairs from the crop sources (and the objects of the COCO folders ``still_roots``)
    into sharded pair records under ``out_dir``; returns the manifest."""
    cfg = data_config or DataConfig()
    tracks, backgrounds = gather_crop_tracks(crop_roots, frame_roots, cfg.synthetic_sequences, seed, progress,
                                             cfg.hold_out, still_sources(still_roots, cfg, seed))
    manifest = {
        "sources": {"crops": [os.path.basename(os.path.normpath(r)) for r in crop_roots],
                    "frames": [os.path.basename(os.path.normpath(r)) for r in frame_roots],
                    "stills": [os.path.basename(os.path.normpath(r)) for r in still_roots],
                    "synthetic": cfg.synthetic_sequences},
        "tracks": len(tracks), "frames": int(sum(len(t.crops) for t in tracks)),
        "backgrounds": len(backgrounds), "composite_fraction": cfg.composite_fraction,
        "max_frame_gap": cfg.max_frame_gap, "seed": seed, "negative_fraction": cfg.negative_fraction,
        "lookalike_fraction": cfg.lookalike_fraction, "synthetic_weight": cfg.synthetic_weight,
        "same_class": cfg.same_class, "hold_out": list(cfg.hold_out), "still_weight": cfg.still_weight,
        "still_objects": sum(1 for t in tracks if t.source == "still"),
    }
    if progress:
        estimate = cfg.pairs * 22e3 / 1e6
        print(f"{len(tracks)} tracks, {manifest['frames']} frames, {len(backgrounds)} backgrounds; "
              f"writing {cfg.pairs} pairs (~{estimate:.0f} MB) to {out_dir}")
    rng = np.random.default_rng(seed)
    stream = pair_stream(tracks, backgrounds, rng, cfg.composite_fraction, cfg.max_frame_gap, cfg.negative_fraction,
                         cfg.lookalike_fraction, cfg.synthetic_weight or None, cfg.same_class,
                         cfg.still_weight or None)
    write_pair_records(stream, out_dir, cfg.pairs, cfg.shards, manifest, progress)
    return manifest
