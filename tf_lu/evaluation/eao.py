"""VOT measures of supervised runs: accuracy, robustness and expected average overlap (EAO).

A *trajectory* has one entry per frame: the code :data:`INIT` (the tracker was (re-)initialised there),
:data:`FAILURE` (its region no longer overlapped the ground truth) or :data:`SKIPPED` (a frame between a failure and
the re-initialisation), or else the tracker's region (4 values ``x,y,w,h`` or a polygon).  These are the codes of
VOT's result files.  The definitions follow the VOT toolkit (VOT2016-2018, ``toolkit-legacy`` and
``vot.analysis.supervised``):

* overlap of a tracked frame: region overlap with the ground-truth polygon, both clipped to the image
  (:func:`tf_lu.geometry.polygons.region_overlap`); NaN where the target is absent;
* accuracy of a sequence: mean overlap over tracked frames, leaving out the :data:`BURNIN` frames starting at each
  (re-)initialisation (the init frame and the 9 after it), failure and skipped frames and frames without a target
  (0 when no frame is left); over sequences: their mean weighted by sequence length (the toolkit's aggregation);
* robustness: failures; over sequences, failures per 100 frames (all failures / all frames x 100);
* EAO: each run is cut into fragments, one per (re-)initialisation; a fragment that ends in a failure has zero
  overlap from the failure frame on, to any length; one that reaches the end of the sequence stops there.  The
  expected overlap at length ``Ns`` is, over the fragments that fail or reach ``Ns`` frames, the mean of each
  fragment's mean overlap over its frames 2..Ns (its init frame is left out; absent targets count as 0); EAO is the
  mean of that curve over ``Ns`` in the range ``[low, high]`` (as far as the longest sequence reaches).  All
  fragments weigh the same (one run per sequence).  The legacy toolkit and pysot index ``Ns`` this way; the Python
  toolkit (vot-toolkit 0.9) has the same curve values but averages them over ``[low + 1, high + 1]`` in these terms,
  and its curve stops at the longest fragment (``tests/test_vot_toolkit_crosscheck.py`` compares the two).
"""
import numpy as np

from tf_lu.errors import TfLuError
from tf_lu.geometry.polygons import region_overlap

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
    return np.array([np.nan if is_code(entry) else region_overlap(entry, region, bounds)
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
    """``[(overlaps, failed)]``: one per (re-)initialisation, from its init frame up to its failure (excluded) or to
    the frame before the next initialisation / the end.  NaN overlaps (absent target) become 0."""
    starts = code_frames(trajectory, INIT)
    failures = set(code_frames(trajectory, FAILURE))
    pieces = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(trajectory)
        failure = next((i for i in range(start, end) if i in failures), None)
        values = np.nan_to_num(np.asarray(overlaps[start:end if failure is None else failure], dtype=np.float64))
        pieces.append((values, failure is not None))
    return pieces


def expected_overlap_curve(pieces, max_length):
    """Expected overlap for each length ``Ns = 1 .. max_length`` (index ``Ns - 1``): 1 at ``Ns = 1`` by convention,
    NaN where no fragment counts."""
    curve = np.full(max_length, np.nan)
    if max_length < 1:
        return curve
    curve[0] = 1.0
    if not pieces:
        return curve
    table = np.zeros((len(pieces), max_length))
    usable_to = np.zeros(len(pieces), dtype=int)  # a fragment counts for lengths Ns <= usable_to
    for row, (values, failed) in enumerate(pieces):
        values = values[:max_length]
        table[row, :len(values)] = values
        usable_to[row] = max_length if failed else len(values)
    means = np.cumsum(table[:, 1:], axis=1) / np.arange(1, max_length)  # column k: mean over frames 2..k+2
    for length in range(2, max_length + 1):
        usable = usable_to >= length
        if usable.any():
            curve[length - 1] = float(np.mean(means[usable, length - 2]))
    return curve


def average_expected_overlap(curve, low, high):
    """Mean of ``curve`` over lengths ``low .. high`` that it covers (NaN values left out); NaN when none."""
    window = np.asarray(curve, dtype=np.float64)[low - 1:high]
    window = window[np.isfinite(window)]
    return float(np.mean(window)) if window.size else float("nan")


def vot_scores(runs, preset=DEFAULT_PRESET, max_length=None, burnin=BURNIN):
    """Scores of one tracker from its runs ``[(trajectory, overlaps)]`` (one per sequence).

    Returns ``{"eao", "accuracy", "robustness" (failures per 100 frames), "failures", "frames", "curve"
    (expected overlap for Ns = 1 .. max_length), "sequences": [{"accuracy", "failures", "robustness", "frames"}]}``.
    ``max_length`` defaults to the longest run."""
    if not runs:
        raise TfLuError("no runs to score")
    low, high = eao_range(preset)
    per_sequence, pieces = [], []
    for trajectory, overlaps in runs:
        accuracy, _ = sequence_accuracy(trajectory, overlaps, burnin)
        failures = len(code_frames(trajectory, FAILURE))
        per_sequence.append({"accuracy": accuracy, "failures": failures, "frames": len(trajectory),
                             "robustness": 100.0 * failures / max(len(trajectory), 1)})
        pieces.extend(fragments(trajectory, overlaps))
    frames = sum(entry["frames"] for entry in per_sequence)
    failures = sum(entry["failures"] for entry in per_sequence)
    curve = expected_overlap_curve(pieces, max_length or max(len(t) for t, _ in runs))
    return {"eao": average_expected_overlap(curve, low, high),
            "accuracy": float(sum(e["accuracy"] * e["frames"] for e in per_sequence) / max(frames, 1)),
            "robustness": 100.0 * failures / max(frames, 1), "failures": int(failures), "frames": int(frames),
            "curve": curve, "sequences": per_sequence}
