"""What real videos do to a target's appearance, as online augmentation of a training pair (``tf.data``, float32
images in 0..255): motion blur, grayscale, partial occlusion, low resolution (a small target in a large frame,
upsampled to the exemplar's size) and illumination change.  Each is applied with the probability (or amplitude) of
its :class:`~tf_lu.config.TrainConfig` field; all zero leaves the pair untouched."""
import tensorflow as tf

BLUR_SIDE = 9   # motion-blur kernels are at most 9 pixels long


def _chance(probability):
    return tf.random.uniform([]) < probability


def motion_blur(image):
    """Blur along a line of random direction and length 3..``BLUR_SIDE`` pixels (normalised, reflect-padded)."""
    half = BLUR_SIDE // 2
    grid = tf.range(-half, half + 1, dtype=tf.float32)
    v, u = tf.meshgrid(grid, grid, indexing="ij")
    angle = tf.random.uniform([], 0.0, 3.14159265)
    length = tf.random.uniform([], 3.0, float(BLUR_SIDE))
    across = tf.abs(-u * tf.sin(angle) + v * tf.cos(angle))
    along = tf.abs(u * tf.cos(angle) + v * tf.sin(angle))
    kernel = tf.cast((across < 0.5) & (along <= length / 2.0), tf.float32)
    kernel = kernel / tf.reduce_sum(kernel)
    kernel = tf.tile(kernel[:, :, None, None], [1, 1, 3, 1])
    padded = tf.pad(image[None], [[0, 0], [half, half], [half, half], [0, 0]], mode="REFLECT")
    return tf.nn.depthwise_conv2d(padded, kernel, [1, 1, 1, 1], "VALID")[0]


def grayscale(image):
    return tf.tile(tf.image.rgb_to_grayscale(image), [1, 1, 3])


def low_resolution(image):
    """Down-sample by 2-4x and back (bilinear): the detail a 20-60 px target has when cropped and upsampled."""
    side = tf.shape(image)[0]
    small = tf.cast(tf.cast(side, tf.float32) / tf.random.uniform([], 2.0, 4.0), tf.int32)
    return tf.image.resize(tf.image.resize(image[None], [small, small], antialias=True), [side, side])[0]


def occlude(image, target_side=64.0):
    """Cover part of the centred target with a rectangle of texture from elsewhere in the same crop."""
    side = tf.cast(tf.shape(image)[0], tf.float32)
    size = tf.random.uniform([2], 0.3, 0.7) * target_side
    centre = side / 2.0 + tf.random.uniform([2], -0.5, 0.5) * target_side
    rows = tf.range(side)[:, None]
    cols = tf.range(side)[None, :]
    mask = ((tf.abs(rows - centre[0]) < size[0] / 2) & (tf.abs(cols - centre[1]) < size[1] / 2))
    shift = tf.cast(side / 2, tf.int32)
    filler = tf.roll(image, shift=[shift, shift], axis=[0, 1])
    return tf.where(mask[:, :, None], filler, image)


def illumination(image, amplitude):
    """A brightness gain of 1 +- ``amplitude`` that varies linearly across the crop in a random direction."""
    side = tf.cast(tf.shape(image)[0], tf.float32)
    angle = tf.random.uniform([], 0.0, 6.2831853)
    ramp = (tf.range(side) / side - 0.5)
    plane = ramp[None, :] * tf.cos(angle) + ramp[:, None] * tf.sin(angle)
    base = tf.random.uniform([], -amplitude, amplitude)
    slope = tf.random.uniform([], -amplitude, amplitude)
    return tf.clip_by_value(image * (1.0 + base + slope * plane)[:, :, None], 0.0, 255.0)


def _maybe(probability, function, image):
    if probability <= 0:
        return image
    return tf.cond(_chance(probability), lambda: function(image), lambda: image)


def degrade_pair(exemplar, search, train_config):
    """Apply the configured degradations: grayscale and low resolution to both crops together (they describe the
    video), blur and illumination to each crop on its own, occlusion to the search crop only."""
    cfg = train_config
    if cfg.grayscale > 0:
        gray = _chance(cfg.grayscale)
        exemplar = tf.cond(gray, lambda: grayscale(exemplar), lambda: exemplar)
        search = tf.cond(gray, lambda: grayscale(search), lambda: search)
    if cfg.low_resolution > 0:
        low = _chance(cfg.low_resolution)
        exemplar = tf.cond(low, lambda: low_resolution(exemplar), lambda: exemplar)
        search = tf.cond(low, lambda: low_resolution(search), lambda: search)
    exemplar = _maybe(cfg.blur, motion_blur, exemplar)
    search = _maybe(cfg.blur, motion_blur, search)
    if cfg.illumination > 0:
        exemplar = illumination(exemplar, cfg.illumination)
        search = illumination(search, cfg.illumination)
    target_side = cfg.exemplar_size / 2.0
    search = _maybe(cfg.occlusion, lambda image: occlude(image, target_side), search)
    return exemplar, search
