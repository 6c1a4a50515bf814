"""Image loading: every frame becomes an RGB ``uint8`` array of shape ``(H, W, 3)``."""
import numpy as np
from PIL import Image, UnidentifiedImageError

from tf_lu.errors import TfLuError


def to_rgb(array):
    """Grayscale, RGBA or 16-bit arrays -> ``uint8`` RGB (converted, never rejected)."""
    array = np.asarray(array)
    if array.dtype != np.uint8:
        scale = 255.0 / max(1.0, float(np.iinfo(array.dtype).max if array.dtype.kind in "ui" else 1.0))
        array = np.clip(array.astype(np.float64) * scale, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    elif array.ndim == 3 and array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    if array.ndim != 3 or array.shape[2] != 3:
        raise TfLuError(f"unsupported image shape {array.shape}")
    return np.ascontiguousarray(array)


def load_image(path):
    """Read an image file as RGB ``uint8``; a missing or unreadable file is a :class:`TfLuError`."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.mode.startswith("I;16"):
                # 16-bit grayscale: PIL's convert("RGB") would clip it to 255; to_rgb scales it down instead.
                return to_rgb(np.asarray(image))
            if image.mode == "I":
                array = np.asarray(image)
                if array.size and array.min() >= 0 and array.max() <= 65535:  # 16-bit data widened by PIL
                    array = array.astype(np.uint16)
                return to_rgb(array)
            if image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            return to_rgb(np.asarray(image))
    except FileNotFoundError:
        raise TfLuError(f"missing frame: {path}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise TfLuError(f"unreadable frame: {path} ({exc.__class__.__name__})") from None


def image_shape(path):
    """``(height, width)`` of an image file, from its header (the pixels are not decoded); a missing or unreadable
    file is a :class:`TfLuError`."""
    try:
        with Image.open(path) as image:
            return image.size[1], image.size[0]
    except FileNotFoundError:
        raise TfLuError(f"missing frame: {path}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise TfLuError(f"unreadable frame: {path} ({exc.__class__.__name__})") from None
