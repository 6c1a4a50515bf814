"""Crop tracks: a sequence as 255x255 crops centred on the target (the SiamFC curation), the source of every
training pair (:mod:`tf_lu.data.pairs`) and of the updater's sequence records.

A *crop track* is a list of crops centred on the target with the target box in each (crop coordinates).
"""
import dataclasses
from typing import List, Optional

import numpy as np

from tf_lu.geometry.boxes import to_center
from tf_lu.geometry.crops import crop_numpy, search_side

CROP_SIZE = 255
EXEMPLAR_MARGIN = 143   # exemplar stored with an 8 px margin around the 127 window, for stretch augmentation


@dataclasses.dataclass
class CropTrack:
    name: str
    crops: List[np.ndarray]          # (255, 255, 3) uint8, target centred
    boxes: np.ndarray                # (N, 4) 0-based boxes in crop coordinates (NaN when absent)
    label: Optional[str] = None      # object class (None: from the name, tf_lu.data.pairs.object_classes)
    source: str = "video"            # video | still (augmented copies from one photo, tf_lu.data.pairs.stills)

    @property
    def visible(self):
        return np.flatnonzero(np.all(np.isfinite(self.boxes), axis=1) & (self.boxes[:, 2] > 1) & (self.boxes[:, 3] > 1))


def crop_track_from_sequence(sequence, context=0.5, exemplar_size=127, instance_size=CROP_SIZE, stride=1):
    """Turn a full-frame :class:`~tf_lu.data.sequences.Sequence` into a crop track (SiamFC curation)."""
    crops, boxes = [], []
    last = None
    for index in range(0, len(sequence), stride):
        box = sequence.boxes[index]
        visible = np.all(np.isfinite(box)) and box[2] > 0 and box[3] > 0
        if visible:
            last = box
        if last is None:
            continue
        cx, cy, w, h = to_center(last)
        side = search_side(w, h, context, exemplar_size, instance_size)
        crops.append(crop_numpy(sequence.frame(index), (cx, cy), side, instance_size))
        scale = instance_size / side
        cw, ch = w * scale, h * scale
        mid = (instance_size - 1) / 2.0
        boxes.append([mid - (cw - 1) / 2, mid - (ch - 1) / 2, cw, ch] if visible else [np.nan] * 4)
    return CropTrack(sequence.name, crops, np.array(boxes, dtype=np.float64).reshape(-1, 4))


def center_window(image, size):
    """The central ``size`` x ``size`` window of a crop."""
    start = (image.shape[0] - size) // 2
    return image[start:start + size, start:start + size]
