"""One procedural sequence from a seed, and datasets of them (in memory or written as OTB-layout folders)."""
import os

import numpy as np

from tf_lu.data.sequences import Sequence, write_otb_folder
from tf_lu.data.synthetic.config import SyntheticConfig, check_config
from tf_lu.data.synthetic.render import distractor_boxes, render_sequence
from tf_lu.data.synthetic.scene import plan_background, plan_distractors, plan_occluders, plan_target
from tf_lu.data.synthetic.textures import as_images
from tf_lu.errors import check


def _default_name(seed):
    return "synthetic-" + ("-".join(str(int(s)) for s in seed) if isinstance(seed, (tuple, list)) else str(seed))


def _annotated(name, frames, true_boxes, occlusion, absent_occlusion):
    """The :class:`Sequence` with absent frames (hidden by ``absent_occlusion`` or more, or off-frame; never the
    first) as NaN rows, plus ``occlusion`` and ``true_boxes``."""
    occlusion[occlusion < 0.02] = 0.0  # resampling noise of an unhidden target
    absent = (occlusion >= absent_occlusion) | (true_boxes[:, 2] <= 0) | (true_boxes[:, 3] <= 0)
    absent[0] = False
    boxes = true_boxes.copy()
    boxes[absent] = np.nan
    sequence = Sequence(name=name, frames=frames, boxes=boxes, absent=absent)
    sequence.occlusion = occlusion
    sequence.true_boxes = true_boxes
    return sequence


def generate_sequence(seed, config=SyntheticConfig(), name=None, objects=None, backgrounds=None):
    """One procedural sequence for ``seed`` (an int or a tuple of ints) as an in-memory
    :class:`~tf_lu.data.sequences.Sequence` (RGB ``uint8`` frames, 0-based boxes, ``absent`` flags, plus the extra
    attributes ``occlusion``, ``true_boxes`` and ``distractor_boxes``).

    ``objects``: RGB patches; the target and its look-alike distractors are made from them (feathered elliptical
    mask) instead of procedural shapes and textures.  ``backgrounds``: RGB images of any size; the background (and
    some occluders) are random crops of them instead of procedural textures.
    """
    check_config(config)
    check(seed is not None, "generate_sequence needs a seed")
    objects = as_images(objects, "objects")
    backgrounds = as_images(backgrounds, "backgrounds")
    rng = np.random.default_rng(seed)
    if name is None:
        name = _default_name(seed)
    target = plan_target(rng, config, objects)
    distractors = plan_distractors(rng, config, target)
    occluders = plan_occluders(rng, config, target, objects, backgrounds)
    background = plan_background(rng, config, backgrounds)
    frames, true_boxes, occlusion = render_sequence(config, target, distractors, occluders, background)
    sequence = _annotated(name, frames, true_boxes, occlusion, config.absent_occlusion)
    sequence.distractor_boxes = distractor_boxes(config, distractors)
    return sequence


def sequence_seed(seed, index):
    """The seed :func:`generate_dataset` uses for its ``index``-th sequence."""
    return (int(seed), int(index))


def generate_dataset(seed, count, config=SyntheticConfig(), objects=None, backgrounds=None):
    """``count`` sequences named ``synthetic-0000`` ...; sequence ``i`` is
    ``generate_sequence(sequence_seed(seed, i), config)``, so a longer dataset extends a shorter one."""
    check(int(count) >= 0, f"count must be at least 0, got {count}")
    return [generate_sequence(sequence_seed(seed, i), config, name=f"synthetic-{i:04d}", objects=objects,
                              backgrounds=backgrounds) for i in range(int(count))]


def write_dataset(out, seed, count, config=SyntheticConfig()):
    """Write :func:`generate_dataset` ``(seed, count, config)`` into ``out/synthetic-<i:04d>/`` (OTB layout), one
    sequence at a time so memory stays small; returns the folders written."""
    check(int(seed) >= 0, f"seed must be at least 0, got {seed}")
    check(int(count) >= 0, f"count must be at least 0, got {count}")
    check_config(config)
    folders = []
    for i in range(int(count)):
        name = f"synthetic-{i:04d}"
        folders.append(os.path.join(out, name))
        write_otb_folder(generate_sequence(sequence_seed(seed, i), config, name=name), folders[-1])
    return folders
