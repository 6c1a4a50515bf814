"""Frames and pictures encoded for the page: JPEG for video frames, PNG for response maps."""
import io

import numpy as np
from PIL import Image

JPEG_QUALITY = 90


def jpeg_bytes(image):
    """An RGB ``uint8`` image as JPEG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def png_bytes(image):
    """An RGB ``uint8`` image as PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
