"""Frozen config dataclasses with defaults from :mod:`tf_lu.paper`, YAML overrides, and value checks.

An experiment file is a small YAML mapping that overrides only what differs, e.g.::

    backbone: {width: 0.5}
    updater: {kind: ema, alpha: 0.02}

Unknown keys, wrongly typed values and values out of range (:func:`validate`) are a :class:`TfLuError` naming the
key.  Relative file paths in a config file (``weights``, ``updater.updater_weights`` and ``base``) are relative to
the folder of the file that names them, and are made absolute when the file is loaded, so a config means the same
from any working directory.
"""
import dataclasses
import math
import os
from typing import Optional, Tuple

import yaml

from tf_lu import paper
from tf_lu.errors import TfLuError


@dataclasses.dataclass(frozen=True)
class BackboneConfig:
    kind: str = "siamfc"               # base tracker: siamfc | cfnet (tf_lu.models.networks.NETWORKS)
    width: float = 1.0                 # channel multiplier on paper.SIAMFC_CHANNELS / CFNET_CHANNELS (0.5 = half)
    variant: str = "conv3"             # CFNet extractor: conv1 | conv2 | conv3 | conv5 (paper.CFNET_CHANNELS)
    cf_lambda: float = paper.CFNET_LAMBDA          # CFNet's correlation filter: ridge regulariser
    cf_sigma: float = paper.CFNET_SIGMA_PIXELS     # Gaussian label sigma in pixels (divided by the total stride)
    cf_margin: int = 0                 # cells cropped off each side of the filter (reference: 16, on 255 exemplars)
    cf_gain: float = paper.CFNET_ADJUST_GAIN       # fixed factor on CFNet's learned gain (which starts at 1)


@dataclasses.dataclass(frozen=True)
class TrackConfig:
    """Tracking-time values: crop sizes, scale search, response post-processing [SiamFC / CFNet references]."""
    exemplar_size: int = paper.SIAMFC_EXEMPLAR_SIZE
    instance_size: int = paper.SIAMFC_INSTANCE_SIZE
    context: float = paper.SIAMFC_CONTEXT
    total_stride: int = paper.SIAMFC_TOTAL_STRIDE
    scale_num: int = paper.SIAMFC_SCALE_NUM
    scale_step: float = paper.SIAMFC_SCALE_STEP
    scale_penalty: float = paper.SIAMFC_SCALE_PENALTY
    scale_lr: float = paper.SIAMFC_SCALE_LR
    window_influence: float = paper.SIAMFC_WINDOW_INFLUENCE
    response_up: int = paper.SIAMFC_RESPONSE_UP
    min_size: float = 4.0              # boxes never shrink below this many pixels


@dataclasses.dataclass(frozen=True)
class UpdaterConfig:
    kind: str = "none"                 # none | ema | sgd | learned (see tf_lu.updaters.registry.UPDATERS)
    alpha: float = 0.02                # EMA rate, searched on training data (docs/RESULTS.md, EMA's alpha)
    # SGD baseline (MDNet-style, only the linear template is updated) [P, Sec. V-A]
    sgd_set_size: int = paper.SGD_ONLINE_SET
    sgd_batch: int = paper.SGD_BATCH
    sgd_lr: float = paper.SGD_LR
    sgd_confidence: float = 0.5        # short-term update when the peak confidence (sigmoid) falls below this
    sgd_long_term_every: int = paper.SGD_LONG_TERM_EVERY
    sgd_long_term_iters: int = paper.SGD_LONG_TERM_ITERS
    sgd_short_term_iters: int = paper.SGD_SHORT_TERM_ITERS
    sgd_positive_radius: float = paper.SIAMFC_POSITIVE_RADIUS
    # learned updater [P, Sec. IV]
    cell: str = "convgru"              # convgru | convlstm
    layers: int = paper.UPDATER_LAYERS
    hidden: int = paper.UPDATER_HIDDEN_SIAMFC
    dropout: float = 0.0               # dropout inside the recurrent cells (training only)
    layer_norm: bool = True
    interval: int = 1                  # M: the template changes every M frames; the hidden state every frame
    residual: bool = True              # theta = theta_1 + conv(h) (a departure from the paper; see learned_updater)
    confidence_input: bool = False     # also feed the tracker's peak confidence (an extension; see learned_updater)
    norm_to_first: bool = False        # rescale each output template to theta_1's norm (an extension; see learned_updater)
    scale_to_first: bool = False       # inputs / outputs in units of theta_1's RMS, per stream (see learned_updater)
    updater_weights: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Feature-extractor training: pair crops, labels, optimiser and augmentation."""
    steps: int = 2000
    steps_per_epoch: int = 100
    exemplar_size: int = paper.SIAMFC_EXEMPLAR_SIZE
    instance_size: int = paper.SIAMFC_TRAIN_INSTANCE_SIZE
    positive_radius: float = paper.SIAMFC_POSITIVE_RADIUS
    batch_size: int = paper.SIAMFC_BATCH
    lr_start: float = 1e-3             # Adam; the paper's SGD 1e-2 schedule trains slower on CPU
    lr_end: float = 1e-5
    weight_decay: float = paper.SIAMFC_WEIGHT_DECAY
    stretch: float = 0.05              # +- relative scale/aspect jitter
    shift: int = 4                     # +- pixels of search-crop translation
    flip: bool = True
    colour: float = 0.1                # +- brightness/contrast jitter
    blur: float = 0.0                  # chance of motion blur, per crop (tf_lu.data.records.degrade)
    grayscale: float = 0.0             # chance that both crops are grayscale
    occlusion: float = 0.0             # chance that part of the search crop's target is covered
    low_resolution: float = 0.0        # chance that both crops lose detail (down-sampled 2-4x and back)
    illumination: float = 0.0          # +- amplitude of a brightness gain varying across each crop
    init_weights: Optional[str] = None  # start from these network weights (relative to the config file's folder)
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class DataConfig:
    max_frame_gap: int = paper.SIAMFC_MAX_FRAME_GAP
    pairs: int = 24000                 # pairs written to the TFRecords
    composite_fraction: float = 0.5    # share of pairs whose target is pasted over another sequence
    synthetic_sequences: int = 0       # procedural sequences added to the real ones
    synthetic_weight: float = 0.0      # share of pairs whose object is a procedural sequence (0: drawn as the rest)
    negative_fraction: float = 0.0     # share of pairs of two different objects, every label negative
    lookalike_fraction: float = 0.0    # share of real pairs with look-alikes pasted beside the target
    same_class: float = 0.5            # chance that a negative or look-alike is of the target's object class
    hold_out: Tuple[str, ...] = ()     # sequence names never used for pairs (a validation split)
    shards: int = 8


@dataclasses.dataclass(frozen=True)
class MetaConfig:
    """Meta-training of the learned updater [P, Sec. IV and V-A]."""
    unroll: int = paper.UPDATER_UNROLL            # H: truncated-BPTT length (bucket lengths are multiples of it)
    max_length: int = paper.UPDATER_MAX_SEQUENCE  # sampled frames per training sequence
    max_interval: int = paper.UPDATER_MAX_FRAME_INTERVAL
    batch_size: int = paper.UPDATER_BATCH
    lr: float = paper.UPDATER_LR
    weight_decay: float = paper.UPDATER_WEIGHT_DECAY
    anchor_lambda: float = paper.UPDATER_LAMBDA   # loss = (1 - lambda) logistic + lambda anchor
    teacher_forcing: bool = False                 # True: target features at the ground truth, not the estimate
    max_shift: int = 8                            # estimated positions are clipped to +- this many feature cells
    cosine_window: bool = False                   # estimate positions as the tracker does (cosine window blended in)
    reverse_prob: float = 0.0                     # play a training sequence backwards with this probability (not in [P])
    hold_out: Tuple[str, ...] = ()                # sequence names left out of meta-training (e.g. a validation set's)
    loss: str = "logistic"                        # classification term: logistic [P] | softmax over positions (not in [P])
    steps: int = 1500                             # optimisation steps (one chunk of H frames per step)
    steps_per_epoch: int = 100
    seed: int = 0


@dataclasses.dataclass(frozen=True)
class Config:
    backbone: BackboneConfig = BackboneConfig()
    track: TrackConfig = TrackConfig()
    updater: UpdaterConfig = UpdaterConfig()
    train: TrainConfig = TrainConfig()
    data: DataConfig = DataConfig()
    meta: MetaConfig = MetaConfig()
    weights: Optional[str] = None      # path of the backbone/head weights (relative to the config file's folder)
    # how the tracker's feature extractor runs (tf_lu.tracking.runtimes): keras | xla | tflite; at which precision:
    # keras / xla: float32 | bfloat16; tflite: float32 | float16 | dynamic (int8 weights) | int8 (calibrated)
    runtime: str = "keras"
    precision: str = "float32"
    calibration: Optional[str] = None  # int8: OTB-layout sequences to calibrate on (None: generated sequences)


def _merge(instance, overrides, where):
    if not isinstance(overrides, dict):
        raise TfLuError(f"config {where or 'root'}: expected a mapping, got {type(overrides).__name__}")
    fields = {f.name: f for f in dataclasses.fields(instance)}
    changes = {}
    for key, value in overrides.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in fields:
            raise TfLuError(f"unknown config key {path!r} (known: {', '.join(fields)})")
        current = getattr(instance, key)
        if dataclasses.is_dataclass(current):
            changes[key] = _merge(current, value, path)
        else:
            changes[key] = _coerce(current, value, path)
    return dataclasses.replace(instance, **changes)


def _coerce(current, value, path):
    if current is None or value is None:
        return value
    if isinstance(current, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(current, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(current, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(current, str):
        if isinstance(value, str):
            return value
    elif isinstance(current, tuple):
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
    else:
        return value
    raise TfLuError(f"config key {path!r}: expected {type(current).__name__}, got {value!r}")


def load_yaml(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except FileNotFoundError:
        raise TfLuError(f"config file not found: {path}") from None
    except yaml.YAMLError as exc:
        raise TfLuError(f"malformed config {path}: {str(exc).splitlines()[0]}") from None
    return data or {}


PATH_KEYS = (("weights",), ("updater", "updater_weights"), ("train", "init_weights"), ("calibration",))   # file paths, resolved against the naming file's folder


def _resolve_paths(data, folder):
    for keys in PATH_KEYS:
        node = data
        for key in keys[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        value = node.get(keys[-1]) if isinstance(node, dict) else None
        if isinstance(value, str) and value and not os.path.isabs(value):
            node[keys[-1]] = os.path.normpath(os.path.join(folder, value))
    return data


def _read_file(path, chain):
    real = os.path.realpath(path)
    if real in chain:
        raise TfLuError(f"config {path}: 'base:' chain returns to a file already in it ({' -> '.join(chain)})")
    data = load_yaml(path)
    if not isinstance(data, dict):
        raise TfLuError(f"malformed config {path}: expected a mapping at the top")
    parent = data.pop("base", None)
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        raise TfLuError(f"config {path}: 'base' must be the path of a config file, got {parent!r}")
    return _resolve_paths(data, os.path.dirname(os.path.abspath(path))), parent, chain + (real,)


# --- value checks: what a type allows but the code cannot use (a scale count of 0, a NaN rate, ...) ---------------
def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


RULES = {
    "positive": (lambda v: _number(v) and v > 0, "a positive number"),
    "at least 1": (lambda v: _number(v) and v >= 1, "at least 1"),
    "non-negative": (lambda v: _number(v) and v >= 0, "zero or more"),
    "fraction": (lambda v: _number(v) and 0 <= v <= 1, "in [0, 1]"),
    "below 1": (lambda v: _number(v) and 0 <= v < 1, "in [0, 1)"),
    "odd": (lambda v: _number(v) and 1 <= v <= 15 and int(v) % 2 == 1, "an odd number from 1 to 15"),
    "upsampling": (lambda v: _number(v) and 1 <= v <= 64, "from 1 to 64"),
    "crop size": (lambda v: _number(v) and 1 <= v <= 1024, "from 1 to 1024 pixels"),
    "finite": (lambda v: _number(v), "a finite number"),
}

KEYS = {
    "backbone": {"width": "positive", "cf_lambda": "positive", "cf_sigma": "positive", "cf_margin": "non-negative"},
    "track": {"exemplar_size": "crop size", "instance_size": "crop size", "context": "non-negative",
              "total_stride": "at least 1", "scale_num": "odd", "scale_step": "positive",
              "scale_penalty": "positive", "scale_lr": "fraction", "window_influence": "fraction",
              "response_up": "upsampling", "min_size": "positive"},
    "updater": {"alpha": "fraction", "sgd_set_size": "at least 1", "sgd_batch": "at least 1", "sgd_lr": "positive",
                "sgd_long_term_every": "at least 1", "sgd_long_term_iters": "non-negative",
                "sgd_short_term_iters": "non-negative", "sgd_confidence": "fraction",
                "sgd_positive_radius": "positive", "layers": "at least 1", "hidden": "at least 1",
                "dropout": "below 1", "interval": "at least 1"},
    "train": {"exemplar_size": "crop size", "instance_size": "crop size", "positive_radius": "positive",
              "batch_size": "at least 1", "steps": "at least 1", "steps_per_epoch": "at least 1",
              "lr_start": "positive", "lr_end": "positive", "weight_decay": "non-negative", "stretch": "below 1",
              "shift": "non-negative", "colour": "fraction", "seed": "finite", "blur": "fraction",
              "grayscale": "fraction", "occlusion": "fraction", "low_resolution": "fraction",
              "illumination": "below 1"},
    "data": {"max_frame_gap": "at least 1", "pairs": "at least 1", "composite_fraction": "fraction",
             "synthetic_sequences": "non-negative", "shards": "at least 1", "synthetic_weight": "below 1",
             "negative_fraction": "fraction", "lookalike_fraction": "fraction", "same_class": "fraction"},
    "meta": {"unroll": "at least 1", "max_length": "at least 1", "max_interval": "at least 1",
             "batch_size": "at least 1", "lr": "positive", "weight_decay": "non-negative",
             "anchor_lambda": "fraction", "max_shift": "non-negative", "reverse_prob": "fraction",
             "steps": "at least 1", "steps_per_epoch": "at least 1", "seed": "finite"},
}

LARGER = (("track", "instance_size", "exemplar_size"), ("train", "instance_size", "exemplar_size"))
RUNTIME_PRECISIONS = {"keras": ("float32", "bfloat16"), "xla": ("float32", "bfloat16"),
                      "tflite": ("float32", "float16", "dynamic", "int8")}


def _validate_runtime(config):
    runtime, precision = getattr(config, "runtime", "keras"), getattr(config, "precision", "float32")
    if runtime not in RUNTIME_PRECISIONS:
        raise TfLuError(f"config key 'runtime' must be one of {', '.join(RUNTIME_PRECISIONS)}, got {runtime!r}")
    if precision not in RUNTIME_PRECISIONS[runtime]:
        raise TfLuError(f"config key 'precision' must be one of {', '.join(RUNTIME_PRECISIONS[runtime])} with "
                        f"runtime {runtime}, got {precision!r}")


def validate(config):
    """Return ``config`` unchanged, or raise a :class:`TfLuError` naming the first key whose value is out of range.
    Keys a config lacks are skipped."""
    for section, keys in KEYS.items():
        part = getattr(config, section, None)
        for key, rule in keys.items():
            if part is None or not hasattr(part, key):
                continue
            test, wanted = RULES[rule]
            value = getattr(part, key)
            if not test(value):
                raise TfLuError(f"config key '{section}.{key}' must be {wanted}, got {value!r}")
    data = getattr(config, "data", None)
    if data is not None and data.negative_fraction + data.lookalike_fraction + data.composite_fraction > 1:
        raise TfLuError("config keys 'data.negative_fraction' + 'data.lookalike_fraction' + "
                        "'data.composite_fraction' must add up to at most 1")
    for section, large, small in LARGER:
        part = getattr(config, section, None)
        if part is not None and getattr(part, large) <= getattr(part, small):
            raise TfLuError(f"config key '{section}.{large}' ({getattr(part, large)}) must be larger than "
                            f"'{section}.{small}' ({getattr(part, small)})")
    _validate_runtime(config)
    return config


def load_config(path=None, overrides=None):
    """Defaults, then the YAML file at ``path`` (which may name ``base:`` files to start from), then ``overrides``;
    the result is checked by :func:`validate`."""
    return validate(_load(path, overrides))


def _load(path=None, overrides=None, base=None, _chain=()):
    config = base or Config()
    if path:
        data, parent, chain = _read_file(path, _chain)
        if parent:
            config = _load(os.path.join(os.path.dirname(path), parent), base=config, _chain=chain)
        try:
            config = _merge(config, data, "")
        except TfLuError as exc:
            raise TfLuError(f"{path}: {exc}") from None
    if overrides:
        config = _merge(config, overrides, "")
    return config


def to_dict(config):
    return dataclasses.asdict(config)
