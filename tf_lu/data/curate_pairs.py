"""Curate feature-extractor training pairs from real crop sequences, full-frame sequences and generated ones.

Sources (train only, never evaluation data):
* ``train_crops``-style folders: target-centred 255 crops (OTB layout) -> crop tracks as they are;
* full-frame OTB folders (``train/``): cropped the same way (SiamFC curation), and their frames used as
  backgrounds for composites;
* procedural sequences from :mod:`tf_lu.data.synthetic` (``synthetic`` count), cropped the same way.
"""
import os

import numpy as np
from tqdm import tqdm

from tf_lu.data.pairs import CropTrack, composite_pair, crop_track_from_sequence, sample_pair
from tf_lu.data.sequences import is_otb_folder, read_otb_dataset
from tf_lu.data.records.pairs import write_pair_records


def load_crop_tracks(root, progress=True):
    """Every OTB-layout sequence under ``root`` whose frames are already 255x255 target-centred crops."""
    tracks = []
    for sequence in tqdm(read_otb_dataset(root), desc=f"load {os.path.basename(root)}", disable=not progress):
        crops = [sequence.frame(i) for i in range(len(sequence))]
        tracks.append(CropTrack(sequence.name, crops, sequence.boxes))
    return tracks


def load_full_frame_tracks(root, stride=1, progress=True):
    """Full-frame sequences -> (crop tracks, background frames)."""
    tracks, backgrounds = [], []
    for sequence in tqdm(read_otb_dataset(root), desc=f"crop {os.path.basename(root)}", disable=not progress):
        tracks.append(crop_track_from_sequence(sequence, stride=stride))
        backgrounds += [sequence.frame(i) for i in range(0, len(sequence), 10)]
    return tracks, backgrounds


def synthetic_tracks(count, seed=0):
    from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
    tracks = []
    for k in range(count):
        sequence = generate_sequence(seed + k, SyntheticConfig(), name=f"synthetic-{k:04d}")
        tracks.append(crop_track_from_sequence(sequence))
    return tracks


def pair_stream(tracks, backgrounds, rng, composite_fraction=0.5, max_gap=100):
    """An endless stream of ``(exemplar, search, source, composite)`` pairs."""
    while True:
        if backgrounds and rng.random() < composite_fraction:
            yield (*composite_pair(tracks, backgrounds, rng, max_gap), 1)
        else:
            yield (*sample_pair(tracks, rng, max_gap), 0)


def curate_pairs(out_dir, crop_roots=(), frame_roots=(), data_config=None, seed=0, progress=True):
    """Write ``data_config.pairs`` pairs into sharded TFRecords under ``out_dir``; returns the manifest."""
    from tf_lu.config import DataConfig
    cfg = data_config or DataConfig()
    tracks, backgrounds = [], []
    for root in crop_roots:
        loaded = load_crop_tracks(root, progress)
        tracks += loaded
        backgrounds += [t.crops[i] for t in loaded for i in range(0, len(t.crops), 15)]
    for root in frame_roots:
        loaded, frames = load_full_frame_tracks(root, progress=progress)
        known = {t.name for t in tracks}
        tracks += [t for t in loaded if t.name not in known]   # train_crops already holds every train/ sequence
        backgrounds += frames
    if cfg.synthetic_sequences:
        generated = synthetic_tracks(cfg.synthetic_sequences, seed)
        tracks += generated
        backgrounds += [t.crops[i] for t in generated for i in range(0, len(t.crops), 15)]
    if not tracks:
        from tf_lu.errors import TfLuError
        raise TfLuError("no training sequences: give --crops and/or --frames folders, or synthetic sequences")
    manifest = {
        "sources": {"crops": [os.path.basename(os.path.normpath(r)) for r in crop_roots],
                    "frames": [os.path.basename(os.path.normpath(r)) for r in frame_roots],
                    "synthetic": cfg.synthetic_sequences},
        "tracks": len(tracks), "frames": int(sum(len(t.crops) for t in tracks)),
        "backgrounds": len(backgrounds), "composite_fraction": cfg.composite_fraction,
        "max_frame_gap": cfg.max_frame_gap, "seed": seed,
    }
    if progress:
        estimate = cfg.pairs * 22e3 / 1e6
        print(f"{len(tracks)} tracks, {manifest['frames']} frames, {len(backgrounds)} backgrounds; "
              f"writing {cfg.pairs} pairs (~{estimate:.0f} MB) to {out_dir}")
    rng = np.random.default_rng(seed)
    stream = pair_stream(tracks, backgrounds, rng, cfg.composite_fraction, cfg.max_frame_gap)
    write_pair_records(stream, out_dir, cfg.pairs, cfg.shards, manifest, progress)
    return manifest
