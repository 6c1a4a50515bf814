"""The look-alike sequence set: procedural sequences crowded with close copies of the target.

Only the config differs from the default sequences (the generator draws nothing else): three or four distractors per
sequence, their colours 0.05 (of 0..255) from the target's instead of 0.12, a slower target and squarer targets
(aspect ratio 0.7 to 1.4).  :mod:`.scene` moves each look-alike along a path that passes beside the target at one
random frame in the last 80% of the sequence (0.9 to 1.8 times the target's longer side from its centre), crossing
the target's line of sight at a speed tied to ``speed``: a squarer target brings it closer relative to the target's
size, a slower one keeps it near for longer.
Occluders (default chance) hide the target at times, which invites a jump to a look-alike.
"""
import dataclasses

from tf_lu.data.synthetic.config import SyntheticConfig
from tf_lu.data.synthetic.generate import generate_sequence, sequence_seed
from tf_lu.errors import check

LOOKALIKE_SEED = 7000


def lookalike_config(frames=90, **changes):
    """The :class:`SyntheticConfig` of the look-alike set, ``frames`` frames long; ``changes`` override fields."""
    config = SyntheticConfig(num_frames=int(frames), num_distractors=(3, 4), distractor_color_shift=0.05, speed=0.009,
                             aspect_ratio=(0.7, 1.4))
    return dataclasses.replace(config, **changes)


def lookalike_name(seed, index):
    """The name of the ``index``-th sequence of the set made from ``seed``: ``lookalike-<seed>-<index:04d>``."""
    return f"lookalike-{int(seed)}-{int(index):04d}"


def lookalike_sequences(count, frames=90, seed=LOOKALIKE_SEED, config=None):
    """``count`` look-alike sequences: sequence ``i`` is ``generate_sequence(sequence_seed(seed, i), config)`` named
    :func:`lookalike_name`, so a longer set extends a shorter one.  ``config`` defaults to
    ``lookalike_config(frames)``.  Each carries ``distractor_boxes`` and ``true_boxes``."""
    check(int(count) >= 1, f"count must be at least 1, got {count}")
    config = config or lookalike_config(frames)
    return [generate_sequence(sequence_seed(seed, i), config, name=lookalike_name(seed, i)) for i in range(int(count))]
