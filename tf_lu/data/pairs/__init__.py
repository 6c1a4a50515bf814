"""The training pairs of the feature extractor, made from crop tracks.

* :mod:`.crop_tracks` -- a sequence as target-centred crops (:class:`CropTrack`), the source of every pair;
* :mod:`.composite` -- plain pairs (two frames of one track) and composites (the target pasted over another
  sequence's crops, with distractors);
* :mod:`.hard` -- negative pairs (two different objects) and look-alike pairs (other instances of the target's class
  pasted beside it), with the object classes of :mod:`.object_classes`;
* :mod:`.stills` -- crop tracks of augmented copies of the objects of still photos (COCO detection JSON).

The curation's pair stage (:mod:`tf_lu.data.curation.pair_stage`) draws from them and writes pair records
(:mod:`tf_lu.data.records.pairs`).
"""
from tf_lu.data.pairs.composite import composite_pair, sample_pair
from tf_lu.data.pairs.crop_tracks import (CROP_SIZE, EXEMPLAR_MARGIN, CropTrack, center_window,
                                          crop_track_from_sequence)
from tf_lu.data.pairs.hard import ClassIndex, lookalike_pair, negative_pair

__all__ = ["CROP_SIZE", "EXEMPLAR_MARGIN", "ClassIndex", "CropTrack", "center_window", "composite_pair",
           "crop_track_from_sequence", "lookalike_pair", "negative_pair", "sample_pair"]
