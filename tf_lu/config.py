"""Frozen config dataclasses with defaults from :mod:`tf_lu.paper`, YAML overrides, and value checks.

An experiment file is a small YAML mapping that overrides only what differs, e.g.::

    backbone: {width: 0.5}
    updater: {kind: ema, ema: {alpha: 0.02}}

Unknown keys, wrongly typed values and values out of range (:func:`validate`) are a :class:`TfLuError` naming the
key.  Each updater kind has its own section (``updater.ema``, ``updater.sgd``, ``updater.learned``); a method's key
written at the top of ``updater:`` (``updater.alpha``, ``updater.sgd_lr``, ``updater.hidden``, ...) is an error naming
where it lives (``updater.ema.alpha``, ``updater.sgd.lr``, ``updater.learned.hidden``, ...).  Relative file paths in a
config file (``weights``, ``updater.learned.weights``, ``train.init_weights`` and ``base``) are relative to the folder
of the file that names them, and are made absolute when the file is loaded, so a config means the same from any
working directory.
"""
import dataclasses
import math
import os
from typing import Optional, Tuple

import yaml

from tf_lu import paper
from tf_lu.errors import TfLuError


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


def setting(default, rule=None):
    """A config field with its default and the name of its value rule (:data:`RULES`), checked by :func:`validate`."""
    return dataclasses.field(default=default, metadata={"rule": rule} if rule else {})


@dataclasses.dataclass(frozen=True)
class BackboneConfig:
    kind: str = "siamfc"               # base tracker: siamfc | cfnet (tf_lu.models.networks.NETWORKS)
    width: float = setting(1.0, "positive")   # channel multiplier on paper.SIAMFC_CHANNELS / CFNET_CHANNELS (0.5: half)
    variant: str = "conv3"             # CFNet extractor: conv1 | conv2 | conv3 | conv5 (paper.CFNET_CHANNELS)
    cf_lambda: float = setting(paper.CFNET_LAMBDA, "positive")        # CFNet's correlation filter: ridge regulariser
    cf_sigma: float = setting(paper.CFNET_SIGMA_PIXELS, "positive")   # Gaussian label sigma in pixels (/ total stride)
    cf_margin: int = setting(0, "non-negative")   # cells cropped off each side of the filter (reference: 16, on 255)
    cf_gain: float = setting(paper.CFNET_ADJUST_GAIN, "positive")   # factor on CFNet's learned gain (starts at 1)


@dataclasses.dataclass(frozen=True)
class TrackConfig:
    """Tracking-time values: crop sizes, scale search, response post-processing [SiamFC / CFNet references]."""
    exemplar_size: int = setting(paper.SIAMFC_EXEMPLAR_SIZE, "crop size")
    instance_size: int = setting(paper.SIAMFC_INSTANCE_SIZE, "crop size")
    context: float = setting(paper.SIAMFC_CONTEXT, "non-negative")
    total_stride: int = setting(paper.SIAMFC_TOTAL_STRIDE, "at least 1")
    scale_num: int = setting(paper.SIAMFC_SCALE_NUM, "odd")
    scale_step: float = setting(paper.SIAMFC_SCALE_STEP, "positive")
    scale_penalty: float = setting(paper.SIAMFC_SCALE_PENALTY, "positive")
    scale_lr: float = setting(paper.SIAMFC_SCALE_LR, "fraction")
    window_influence: float = setting(paper.SIAMFC_WINDOW_INFLUENCE, "fraction")
    response_up: int = setting(paper.SIAMFC_RESPONSE_UP, "upsampling")
    min_size: float = setting(4.0, "positive")     # boxes never shrink below this many pixels


@dataclasses.dataclass(frozen=True)
class EmaConfig:
    """theta_{t+1} = (1 - alpha) theta_t + alpha g(x_t) [P, Sec. V-A]."""
    alpha: float = setting(0.02, "fraction")      # searched on training data (docs/RESULTS.md, EMA's alpha)


@dataclasses.dataclass(frozen=True)
class SgdConfig:
    """The MDNet-style SGD baseline: only the linear template is updated [P, Sec. V-A]."""
    set_size: int = setting(paper.SGD_ONLINE_SET, "at least 1")      # samples kept in the online set
    batch: int = setting(paper.SGD_BATCH, "at least 1")
    lr: float = setting(paper.SGD_LR, "positive")
    confidence: float = setting(0.5, "fraction")   # short-term update when the peak confidence (sigmoid) is below this
    long_term_every: int = setting(paper.SGD_LONG_TERM_EVERY, "at least 1")
    long_term_iters: int = setting(paper.SGD_LONG_TERM_ITERS, "non-negative")
    short_term_iters: int = setting(paper.SGD_SHORT_TERM_ITERS, "non-negative")
    positive_radius: float = setting(paper.SIAMFC_POSITIVE_RADIUS, "positive")


@dataclasses.dataclass(frozen=True)
class LearnedConfig:
    """The learned updater: a stack of convolutional recurrent cells [P, Sec. IV] (see tf_lu.updaters.learned)."""
    cell: str = "convgru"              # convgru | convlstm
    layers: int = setting(paper.UPDATER_LAYERS, "at least 1")
    hidden: int = setting(paper.UPDATER_HIDDEN_SIAMFC, "at least 1")
    dropout: float = setting(0.0, "below 1")       # dropout inside the recurrent cells (training only)
    layer_norm: bool = True
    interval: int = setting(1, "at least 1")       # M: the template changes every M frames, the state every frame
    residual: bool = True              # theta = theta_1 + conv(h) (a departure from the paper)
    confidence_input: bool = False     # also feed the tracker's peak confidence (an extension)
    norm_to_first: bool = False        # rescale each output template to theta_1's norm (an extension)
    scale_to_first: bool = False       # inputs / outputs in units of theta_1's RMS, per stream (an extension)
    weights: Optional[str] = None      # the updater network's weights (relative to the config file's folder)


@dataclasses.dataclass(frozen=True)
class UpdaterConfig:
    """``kind`` names the update method; each method reads only its own section."""
    kind: str = "none"                 # none | ema | sgd | learned (tf_lu.updaters.registry.UPDATERS)
    ema: EmaConfig = EmaConfig()
    sgd: SgdConfig = SgdConfig()
    learned: LearnedConfig = LearnedConfig()


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Feature-extractor training: pair crops, labels, optimiser and augmentation."""
    steps: int = setting(2000, "at least 1")
    steps_per_epoch: int = setting(100, "at least 1")
    exemplar_size: int = setting(paper.SIAMFC_EXEMPLAR_SIZE, "crop size")
    instance_size: int = setting(paper.SIAMFC_TRAIN_INSTANCE_SIZE, "crop size")
    positive_radius: float = setting(paper.SIAMFC_POSITIVE_RADIUS, "positive")
    batch_size: int = setting(paper.SIAMFC_BATCH, "at least 1")
    lr_start: float = setting(1e-3, "positive")   # Adam; the paper's SGD 1e-2 schedule trains slower on CPU
    lr_end: float = setting(1e-5, "positive")
    weight_decay: float = setting(paper.SIAMFC_WEIGHT_DECAY, "non-negative")
    stretch: float = setting(0.05, "below 1")      # +- relative scale/aspect jitter
    shift: int = setting(4, "non-negative")        # +- pixels of search-crop translation
    flip: bool = True
    colour: float = setting(0.1, "fraction")       # +- brightness/contrast jitter
    blur: float = setting(0.0, "fraction")         # chance of motion blur, per crop (tf_lu.data.records.degrade)
    grayscale: float = setting(0.0, "fraction")    # chance that both crops are grayscale
    occlusion: float = setting(0.0, "fraction")    # chance that part of the search crop's target is covered
    low_resolution: float = setting(0.0, "fraction")   # chance that both crops lose detail (down-sampled 2-4x and back)
    illumination: float = setting(0.0, "below 1")  # +- amplitude of a brightness gain varying across each crop
    init_weights: Optional[str] = None  # start from these network weights (relative to the config file's folder)
    seed: int = setting(0, "finite")


@dataclasses.dataclass(frozen=True)
class DataConfig:
    max_frame_gap: int = setting(paper.SIAMFC_MAX_FRAME_GAP, "at least 1")
    pairs: int = setting(24000, "at least 1")      # pairs written to the TFRecords
    composite_fraction: float = setting(0.5, "fraction")   # share of pairs whose target is pasted over another sequence
    synthetic_sequences: int = setting(0, "non-negative")  # procedural sequences added to the real ones
    synthetic_weight: float = setting(0.0, "below 1")  # share of pairs of a procedural object (0: drawn as the rest)
    negative_fraction: float = setting(0.0, "fraction")    # share of pairs of two different objects, labels negative
    lookalike_fraction: float = setting(0.0, "fraction")   # share of real pairs with look-alikes beside the target
    same_class: float = setting(0.5, "fraction")   # chance that a negative or look-alike is of the target's class
    hold_out: Tuple[str, ...] = ()     # sequence names never used for pairs (a validation split)
    still_weight: float = setting(0.0, "below 1")  # share of pairs of a still photo's object (make-pairs --stills)
    still_min_size: float = setting(24.0, "non-negative")  # photo objects with a shorter side below this are left out
    still_copies: int = setting(4, "at least 1")   # augmented crops per photo object (tf_lu.data.pairs.stills)
    shards: int = setting(8, "at least 1")


@dataclasses.dataclass(frozen=True)
class MetaConfig:
    """Meta-training of the learned updater [P, Sec. IV and V-A]."""
    unroll: int = setting(paper.UPDATER_UNROLL, "at least 1")   # H: truncated-BPTT length (buckets: multiples of it)
    max_length: int = setting(paper.UPDATER_MAX_SEQUENCE, "at least 1")   # sampled frames per training sequence
    max_interval: int = setting(paper.UPDATER_MAX_FRAME_INTERVAL, "at least 1")
    batch_size: int = setting(paper.UPDATER_BATCH, "at least 1")
    lr: float = setting(paper.UPDATER_LR, "positive")
    weight_decay: float = setting(paper.UPDATER_WEIGHT_DECAY, "non-negative")
    anchor_lambda: float = setting(paper.UPDATER_LAMBDA, "fraction")   # loss = (1 - lambda) logistic + lambda anchor
    teacher_forcing: bool = False      # True: target features at the ground truth, not the estimate
    max_shift: int = setting(8, "non-negative")   # estimated positions are clipped to +- this many feature cells
    cosine_window: bool = False        # estimate positions as the tracker does (cosine window blended in)
    reverse_prob: float = setting(0.0, "fraction")   # play a sequence backwards with this probability (not in [P])
    hold_out: Tuple[str, ...] = ()     # sequence names left out of meta-training (e.g. a validation set's)
    loss: str = "logistic"             # classification term: logistic [P] | softmax over positions (not in [P])
    steps: int = setting(1500, "at least 1")       # optimisation steps (one chunk of H frames per step)
    steps_per_epoch: int = setting(100, "at least 1")
    seed: int = setting(0, "finite")


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


# a method's key written at the top of the updater section -> where it lives
MOVED_KEYS = {"updater": {"alpha": "updater.ema.alpha", "updater_weights": "updater.learned.weights",
                          **{f"sgd_{f.name}": f"updater.sgd.{f.name}" for f in dataclasses.fields(SgdConfig)},
                          **{f.name: f"updater.learned.{f.name}" for f in dataclasses.fields(LearnedConfig)
                             if f.name != "weights"}}}


def _merge(instance, overrides, where):
    if not isinstance(overrides, dict):
        raise TfLuError(f"config {where or 'root'}: expected a mapping, got {type(overrides).__name__}")
    fields = {f.name: f for f in dataclasses.fields(instance)}
    changes = {}
    for key, value in overrides.items():
        path = f"{where}.{key}" if where else str(key)
        if key not in fields:
            moved = MOVED_KEYS.get(where, {}).get(key)
            if moved:
                raise TfLuError(f"config key {path!r} is written {moved!r} (each updater kind has its own section)")
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


# file paths, resolved against the folder of the file that names them
PATH_KEYS = (("weights",), ("updater", "learned", "weights"), ("train", "init_weights"), ("calibration",))


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


def _check_rules(part, where):
    """The first field of the config dataclass ``part`` (and of the dataclasses inside it) that breaks its rule."""
    for field in dataclasses.fields(part):
        value, path = getattr(part, field.name), f"{where}.{field.name}" if where else field.name
        if dataclasses.is_dataclass(value):
            _check_rules(value, path)
        elif "rule" in field.metadata:
            test, wanted = RULES[field.metadata["rule"]]
            if not test(value):
                raise TfLuError(f"config key '{path}' must be {wanted}, got {value!r}")


def validate(config):
    """Return ``config`` unchanged, or raise a :class:`TfLuError` naming the first key whose value breaks the rule
    beside its field (:func:`setting`) or a rule between keys."""
    _check_rules(config, "")
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


def with_overrides(config, overrides):
    """``config`` with the nested mapping ``overrides`` applied (as a YAML file's keys are), checked by
    :func:`validate`."""
    return validate(_merge(config, overrides, ""))


def to_dict(config):
    return dataclasses.asdict(config)
