"""Procedural tracking sequences that are hard in the ways model update addresses.

Every sequence is drawn from ``numpy.random.default_rng(seed)`` only (no global random state), so the same seed and
config give the same frames and boxes.  A sequence has:

* a textured background (smooth noise, blobs, stripes or a gradient; or crops of given images) panned over time;
* a target: a shape (ellipse, rounded rectangle or random blob) with a textured fill (stripes, checks, spots or
  noise; or a given object patch with a feathered elliptical mask) whose appearance drifts: its colours and texture
  blend toward a second appearance, its pattern rotates and its brightness changes;
* smooth random-walk changes of scale and aspect ratio, smooth motion with occasional fast moves, kept mostly inside
  the frame;
* occluders passing in front of the target (the hidden fraction is recorded per frame; frames hidden by
  ``absent_occlusion`` or more are marked absent);
* look-alike distractors (same shape family and texture, slightly different colour) passing near the target, drawn
  behind it.

Boxes are 0-based ``(x, y, w, h)`` (see :mod:`tf_lu.geometry.boxes`): the tight box of the whole object (also when partly
occluded), clipped to the frame.  Absent frames have NaN rows and ``absent`` set.  Three extra attributes ride on
the returned :class:`~tf_lu.data.sequences.Sequence`: ``occlusion`` (per-frame hidden fraction, 0..1, counting
occluders and the frame border), ``true_boxes`` (the boxes also for absent frames) and ``distractor_boxes``
(``(D, N, 4)``: each look-alike's box per frame, made the same way, NaN rows where it is off the frame).

Modules: :mod:`.config` (the knobs), :mod:`.signals`, :mod:`.textures`, :mod:`.sprites` (shapes drawn into
frames), :mod:`.motion` (the target's path), :mod:`.scene` (the plan of a sequence, drawn in a fixed order),
:mod:`.render` (drawing the frames), :mod:`.generate` (sequences and datasets from seeds) and :mod:`.lookalike` (the
look-alike set that ``tf-lu lookalike`` counts identity switches on).

Cost: one texture set per sequence, then per frame one background warp and one small warp per visible object, so a
60-frame 240x320 sequence takes a small fraction of a second.
"""
from tf_lu.data.sequences import write_otb_folder
from tf_lu.data.synthetic.config import BACKGROUND_TEXTURES, SHAPES, TARGET_TEXTURES, SyntheticConfig
from tf_lu.data.synthetic.generate import generate_dataset, generate_sequence, sequence_seed, write_dataset
from tf_lu.data.synthetic.lookalike import LOOKALIKE_SEED, lookalike_config, lookalike_sequences

__all__ = ["BACKGROUND_TEXTURES", "LOOKALIKE_SEED", "SHAPES", "TARGET_TEXTURES", "SyntheticConfig", "generate_dataset",
           "generate_sequence", "lookalike_config", "lookalike_sequences", "sequence_seed", "write_dataset",
           "write_otb_folder"]
