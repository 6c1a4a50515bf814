"""VOT measures of supervised runs: accuracy, robustness and expected average overlap (EAO), as vot-toolkit 0.9
computes them (``vot.analysis.supervised``; ``tests/test_vot_toolkit_crosscheck.py`` checks the two agree).

A *trajectory* has one entry per frame: the code :data:`INIT` (the tracker was (re-)initialised there),
:data:`FAILURE` (its region no longer overlapped the ground truth) or :data:`SKIPPED` (a frame between a failure and
the re-initialisation), or else the tracker's region (4 values ``x,y,w,h`` or a polygon).  These are the codes of
VOT's result files.

* overlap of a tracked frame: the pixel overlap with the ground-truth region inside the image
  (:func:`tf_lu.geometry.raster.raster_overlap`, the toolkit's ``calculate_overlaps`` with the image bounds); NaN
  where the target is absent;
* accuracy of a sequence: mean overlap over tracked frames, leaving out the :data:`BURNIN` frames starting at each
  (re-)initialisation (the init frame and the 9 after it), failure and skipped frames and frames without a target
  (0 when no frame is left); over sequences: their mean weighted by sequence length;
* robustness: failures; over sequences, failures per 100 frames (all failures / all frames x 100);
* EAO: each run is cut into fragments, the i-th (re-)initialisation up to the i-th failure (a failed fragment, zero
  overlap from the failure on, to any length), and the last initialisation to the end of the sequence when no failure
  follows it (a fragment that stops there); a run without failure is one fragment, the whole run.  The expected
  overlap after ``k`` frames is, over the fragments that failed or go on for more than ``k`` frames after their
  initialisation, the mean of each fragment's mean overlap over those ``k`` frames (its init frame left out, absent
  targets counting 0); the curve goes as far as the longest fragment.  EAO is the mean of the curve over ``k`` in the
  range ``[low, high]`` of a preset (VOT2016 [108, 371]) as far as the curve reaches.  All fragments weigh the same
  (one run per sequence).
"""
import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.geometry.raster import raster_overlap

INIT, FAILURE, SKIPPED = 1, 2, 0
BURNIN = 10
PRESETS = {"vot2016": (108, 371), "vot2017": (100, 356), "vot2018": (100, 356)}
DEFAULT_PRESET = "vot2016"


def eao_range(preset):
    """``(low, high)`` of a preset name (:data:`PRESETS`) or of a ``(low, high)`` pair."""
    if isinstance(preset, str):
        if preset.lower() not in PRESETS:
            raise TfLuError(f"unknown VOT preset {preset!r}; known: {', '.join(PRESETS)}")
        return PRESETS[preset.lower()]
    try:
        low, high = (int(v) for v in preset)
    except (TypeError, ValueError):
        raise TfLuError(f"an EAO range is a preset name or two lengths (low, high), got {preset!r}") from None
    if not 1 <= low <= high:
        raise TfLuError(f"an EAO range needs 1 <= low <= high, got [{low}, {high}]")
    return low, high


def is_code(entry, code=None):
    """True when a trajectory entry is a code (``code`` itself, when given) rather than a region."""
    if isinstance(entry, (int, np.integer)):
        return code is None or int(entry) == code
    return False


def code_frames(trajectory, code):
    """Indices of the frames holding ``code``."""
    return [i for i, entry in enumerate(trajectory) if is_code(entry, code)]


def trajectory_overlaps(trajectory, regions, bounds):
    """Per-frame overlap of each tracked region with the ground-truth region; NaN on code frames and where the
    target is absent.  ``bounds`` is the image ``(width, height)``."""
    if len(trajectory) != len(regions):
        raise TfLuError(f"{len(trajectory)} trajectory entries but {len(regions)} ground-truth regions")
    return np.array([np.nan if is_code(entry) else raster_overlap(entry, region, bounds)
                     for entry, region in zip(trajectory, regions)], dtype=np.float64)


def sequence_accuracy(trajectory, overlaps, burnin=BURNIN):
    """``(accuracy, counted frames)`` of one run: mean overlap outside the burn-in after each (re-)initialisation
    (``(0.0, 0)`` when no frame counts, as in the VOT toolkit)."""
    counted = np.isfinite(overlaps)
    for start in code_frames(trajectory, INIT):
        counted[start:start + burnin] = False
    if not counted.any():
        return 0.0, 0
    return float(np.mean(overlaps[counted])), int(counted.sum())


def fragments(trajectory, overlaps):
    """``[(overlaps, failed)]``: the run cut as the module doc says; NaN overlaps (absent target, code frames) are 0."""
    values = np.nan_to_num(np.asarray(overlaps, dtype=np.float64))
    inits, failures = code_frames(trajectory, INIT), code_frames(trajectory, FAILURE)
    if not failures:
        return [(values, False)]
    pieces = [(values[start:end], True) for start, end in zip(inits, failures)]
    if len(inits) > len(failures):
        pieces.append((values[inits[-1]:], False))
    return pieces


def expected_overlap_curve(pieces):
    """Expected overlap after ``k`` frames, at index ``k`` (``k = 0 .. longest fragment - 1``; NaN at ``k = 0``, with
    no frame to average, and where no fragment counts)."""
    length = max((len(values) for values, _ in pieces), default=0)
    curve = np.full(length, np.nan)
    if length < 2:
        return curve
    table = np.zeros((len(pieces), length))
    usable_to = np.zeros(len(pieces), dtype=int)  # a fragment counts for k < usable_to
    for row, (values, failed) in enumerate(pieces):
        table[row, :len(values)] = values
        usable_to[row] = length if failed else len(values)
    means = np.cumsum(table[:, 1:], axis=1) / np.arange(1, length)  # column k - 1: mean over frames 1..k
    for k in range(1, length):
        usable = usable_to > k
        if usable.any():
            curve[k] = float(np.mean(means[usable, k - 1]))
    return curve


def average_expected_overlap(curve, low, high):
    """Mean of ``curve`` over ``k = low .. high`` as far as it reaches (NaN values left out); NaN when none."""
    window = np.asarray(curve, dtype=np.float64)[low:high + 1]
    window = window[np.isfinite(window)]
    return float(np.mean(window)) if window.size else float("nan")


def _weighted_accuracy(per_sequence, frames):
    if all(e["accuracy"] is None for e in per_sequence):
        return None
    return float(sum((e["accuracy"] or 0.0) * e["frames"] for e in per_sequence) / max(frames, 1))


def vot_scores(runs, preset=DEFAULT_PRESET, burnin=BURNIN):
    """Scores of one tracker from its runs ``[(trajectory, overlaps)]`` (one per sequence).

    Returns ``{"eao", "accuracy", "robustness" (failures per 100 frames), "failures", "frames", "curve"
    (:func:`expected_overlap_curve`), "sequences": [{"accuracy", "failures", "robustness", "frames"}]}``.  A sequence
    with no frame past its burn-ins has accuracy ``None`` (n/a) and counts as 0 in the frame-weighted mean, as in the
    VOT toolkit; the mean is ``None`` when no sequence has a counted frame."""
    if not runs:
        raise TfLuError("no runs to score")
    low, high = eao_range(preset)
    per_sequence, pieces = [], []
    for trajectory, overlaps in runs:
        accuracy, counted = sequence_accuracy(trajectory, overlaps, burnin)
        failures = len(code_frames(trajectory, FAILURE))
        per_sequence.append({"accuracy": accuracy if counted else None, "failures": failures, "frames": len(trajectory),
                             "robustness": 100.0 * failures / max(len(trajectory), 1)})
        pieces.extend(fragments(trajectory, overlaps))
    frames = sum(entry["frames"] for entry in per_sequence)
    failures = sum(entry["failures"] for entry in per_sequence)
    curve = expected_overlap_curve(pieces)
    return {"eao": average_expected_overlap(curve, low, high),
            "accuracy": _weighted_accuracy(per_sequence, frames),
            "robustness": 100.0 * failures / max(frames, 1), "failures": int(failures), "frames": int(frames),
            "curve": curve, "sequences": per_sequence}
