"""Crop tracks for the pair stage from sources other than a dataset reader: folders of target-centred crops (OTB
layout, e.g. ``train_crops``), full-frame OTB folders (cropped with the SiamFC curation; their frames also serve as
composite backgrounds) and procedural sequences (:mod:`tf_lu.data.synthetic`, cropped the same way).  Train data
only, never evaluation data."""
import os

from tqdm import tqdm

import numpy as np

from tf_lu.data.pairs import CropTrack, crop_track_from_sequence
from tf_lu.data.sequences import read_otb_dataset
from tf_lu.data.pairs.stills import StillAugment, still_crop_tracks
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError

BACKGROUND_STRIDE = 15   # every 15th crop of a crop track is a composite background


def load_crop_tracks(root, progress=True):
    """Every OTB-layout sequence under ``root`` whose frames are already 255x255 target-centred crops."""
    tracks = []
    for sequence in tqdm(read_otb_dataset(root), desc=f"load {os.path.basename(root)}", disable=not progress):
        crops = [sequence.frame(i) for i in range(len(sequence))]
        tracks.append(CropTrack(sequence.name, crops, sequence.boxes))
    return tracks


def load_full_frame_tracks(root, stride=1, progress=True):
    """Full-frame sequences -> (crop tracks, background frames: every 10th frame)."""
    tracks, backgrounds = [], []
    for sequence in tqdm(read_otb_dataset(root), desc=f"crop {os.path.basename(root)}", disable=not progress):
        tracks.append(crop_track_from_sequence(sequence, stride=stride))
        backgrounds += [sequence.frame(i) for i in range(0, len(sequence), 10)]
    return tracks, backgrounds


def synthetic_tracks(count, seed=0):
    """Crop tracks of ``count`` procedural sequences (seeds ``seed``, ``seed + 1``, ...)."""
    tracks = []
    for k in range(count):
        sequence = generate_sequence(seed + k, SyntheticConfig(), name=f"synthetic-{k:04d}")
        tracks.append(crop_track_from_sequence(sequence))
    return tracks


def still_sources(roots, data_config, seed=0):
    """A loader of the photo objects of the COCO folders ``roots`` (``None`` when there are none) for
    :func:`gather_crop_tracks`: each object's augmented copies are drawn from a generator seeded by ``seed``."""
    if not roots:
        return None
    if data_config.still_copies < 3:
        raise TfLuError("data.still_copies must be at least 3 (a composite pair takes three crops of an object)")
    augment = StillAugment(copies=data_config.still_copies)

    def load(progress):
        rng = np.random.default_rng([seed, 1])
        return [t for root in roots
                for t in still_crop_tracks(root, rng, augment, data_config.still_min_size, progress)]
    return load


def _backgrounds(tracks):
    return [t.crops[i] for t in tracks for i in range(0, len(t.crops), BACKGROUND_STRIDE)]


def _held_out(tracks, hold_out):
    """``tracks`` without those named in ``hold_out``; a name that matches no track is a TfLuError (a typo would
    otherwise leak a validation sequence into training)."""
    unknown = sorted(set(hold_out) - {t.name for t in tracks})
    if unknown:
        raise TfLuError(f"data.hold_out names sequences that are in no source: {', '.join(unknown)}")
    return [t for t in tracks if t.name not in set(hold_out)]


def gather_crop_tracks(crop_roots=(), frame_roots=(), synthetic=0, seed=0, progress=True, hold_out=(), stills=None):
    """``(tracks, backgrounds)`` from every source, in this order: crop folders, full-frame folders (sequences a crop
    folder already holds are skipped), ``synthetic`` procedural sequences, and the objects of still photos
    (``stills``: :func:`still_sources`, which give tracks but no backgrounds).  Sequences named in ``hold_out`` give
    neither pairs nor backgrounds.  No track at all is a TfLuError."""
    loaded_crops = [t for root in crop_roots for t in load_crop_tracks(root, progress)]
    loaded_frames = [load_full_frame_tracks(root, progress=progress) for root in frame_roots]
    held = set(hold_out)
    _held_out(loaded_crops + [t for loaded, _ in loaded_frames for t in loaded], held)   # a name in no source
    tracks = [t for t in loaded_crops if t.name not in held]
    backgrounds = _backgrounds(tracks)
    for loaded, frames in loaded_frames:
        if any(t.name in held for t in loaded):
            raise TfLuError("data.hold_out names a full-frame sequence: its frames would still be composite "
                            "backgrounds; leave that folder out of --frames")
        known = {t.name for t in tracks}
        tracks += [t for t in loaded if t.name not in known]   # train_crops already holds every train/ sequence
        backgrounds += frames
    if synthetic:
        generated = synthetic_tracks(synthetic, seed)
        tracks += generated
        backgrounds += _backgrounds(generated)
    if stills is not None:
        tracks += stills(progress)
    if not tracks:
        raise TfLuError("no training sequences: give --crops and/or --frames folders, or synthetic sequences")
    return tracks, backgrounds
