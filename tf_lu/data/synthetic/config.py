"""The knobs of the procedural sequences (:class:`SyntheticConfig`) and their checks."""
import dataclasses

from tf_lu.errors import check

SHAPES = ("ellipse", "rectangle", "blob")
TARGET_TEXTURES = ("stripes", "checker", "spots", "noise")
BACKGROUND_TEXTURES = ("noise", "blobs", "stripes", "gradient")


@dataclasses.dataclass(frozen=True)
class SyntheticConfig:
    """Knobs of :func:`~tf_lu.data.synthetic.generate_sequence`; every field has a sensible default."""
    num_frames: int = 60  # frames per sequence
    height: int = 240  # frame height in pixels
    width: int = 320  # frame width in pixels
    target_size: tuple = (0.12, 0.3)  # initial target size sqrt(w*h) as a fraction of the shorter frame side (min, max)
    aspect_ratio: tuple = (0.5, 2.0)  # initial target aspect ratio w/h (min, max), drawn log-uniformly
    scale_change: float = 0.35  # amplitude of the smooth log-scale walk (0.35: roughly x0.7 to x1.4 of the start size)
    aspect_change: float = 0.2  # amplitude of the smooth log-aspect-ratio walk
    max_size: float = 0.7  # the target never gets wider/taller than this fraction of the frame width/height
    speed: float = 0.012  # typical target speed per frame, as a fraction of the shorter frame side
    fast_move_prob: float = 0.04  # per-frame chance that a fast move (a decaying velocity kick) starts
    fast_move_factor: float = 3.0  # size of a fast-move kick relative to the typical speed
    border_margin: float = 0.05  # target centre keeps this fraction of the frame size (+30% of its size) off the border
    drift: float = 0.6  # appearance drift: how far colour/texture blend toward a second appearance by the end (0..1)
    pattern_rotation: float = 60.0  # largest total rotation in degrees of the target's texture over the sequence
    illumination: float = 0.25  # amplitude of the target's smooth brightness change (0.25: x0.75 to x1.25)
    frame_illumination: float = 0.1  # amplitude of a smooth brightness change of the whole frame
    occlusion_prob: float = 0.5  # chance, for each of max_occluders occluders, that it passes over the target
    max_occluders: int = 2  # most occluders per sequence
    absent_occlusion: float = 0.9  # hidden fraction at or above which a frame is marked absent
    num_distractors: tuple = (0, 3)  # number of look-alike distractors, drawn uniformly from this inclusive range
    distractor_color_shift: float = 0.12  # colour difference of distractors from the target (fraction of 0..255)
    background_speed: float = 1.0  # background pan speed in pixels per frame
    noise_std: float = 2.0  # standard deviation of per-pixel sensor noise in grey levels (0: none)
    shapes: tuple = SHAPES  # target/distractor shapes to choose from ("ellipse", "rectangle", "blob")
    object_feather: float = 0.15  # feather width of the elliptical mask of given object patches (fraction of radius)


def check_config(config):
    """A :class:`~tf_lu.errors.TfLuError` naming the first field of ``config`` that is out of range."""
    check(isinstance(config, SyntheticConfig), "config must be a SyntheticConfig")
    check(int(config.num_frames) >= 1, f"num_frames must be at least 1, got {config.num_frames}")
    check(int(config.height) >= 16 and int(config.width) >= 16,
          f"frames must be at least 16x16 pixels, got {config.width}x{config.height}")
    lo, hi = config.target_size
    check(0 < lo <= hi <= 1, f"target_size must be 0 < min <= max <= 1, got {config.target_size}")
    lo, hi = config.aspect_ratio
    check(0 < lo <= hi, f"aspect_ratio must be 0 < min <= max, got {config.aspect_ratio}")
    lo, hi = config.num_distractors
    check(0 <= lo <= hi, f"num_distractors must be 0 <= min <= max, got {config.num_distractors}")
    check(0 <= config.drift <= 1, f"drift must be in 0..1, got {config.drift}")
    check(0 <= config.occlusion_prob <= 1, f"occlusion_prob must be in 0..1, got {config.occlusion_prob}")
    check(0 < config.max_size <= 1, f"max_size must be in (0, 1], got {config.max_size}")
    check(len(config.shapes) > 0 and all(s in SHAPES for s in config.shapes),
          f"shapes must be a non-empty subset of {SHAPES}, got {config.shapes}")
