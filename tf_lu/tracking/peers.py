"""OpenCV contrib trackers as peers, behind our tracker interface.

``OpenCVTracker(kind)`` takes RGB ``uint8`` frames and 0-based float ``(x, y, w, h)`` boxes like every tf_lu tracker;
it converts to BGR and integer rectangles for OpenCV, and keeps its last box when OpenCV reports a failure.
"""
import cv2
import numpy as np

from tf_lu.geometry.boxes import validate_initial_box
from tf_lu.data.images import to_rgb
from tf_lu.errors import TfLuError

# kind -> constructor names to try, first found wins (the main namespace first, then cv2.legacy)
_CANDIDATES = {
    "csrt": ("TrackerCSRT_create", "legacy.TrackerCSRT_create"),
    "kcf": ("TrackerKCF_create", "legacy.TrackerKCF_create"),
    "mil": ("TrackerMIL_create", "legacy.TrackerMIL_create"),
    "mosse": ("legacy.TrackerMOSSE_create", "TrackerMOSSE_create"),
    "medianflow": ("legacy.TrackerMedianFlow_create", "TrackerMedianFlow_create"),
    "boosting": ("legacy.TrackerBoosting_create", "TrackerBoosting_create"),
    "tld": ("legacy.TrackerTLD_create", "TrackerTLD_create"),
}


def _find(names):
    for name in names:
        obj = cv2
        for part in name.split("."):
            obj = getattr(obj, part, None)
            if obj is None:
                break
        if obj is not None:
            return obj
    return None


OPENCV_TRACKERS = {kind: create for kind, create in ((k, _find(n)) for k, n in _CANDIDATES.items()) if create}


def _int_rect(box, image_shape):
    """Round a 0-based float box to an integer rectangle inside the image (at least 1x1)."""
    height, width = image_shape[:2]
    x, y, w, h = (float(v) for v in box)
    left = int(np.clip(round(x), 0, width - 1))
    top = int(np.clip(round(y), 0, height - 1))
    right = int(np.clip(round(x + w), left + 1, width))
    bottom = int(np.clip(round(y + h), top + 1, height))
    return left, top, right - left, bottom - top


def _bgr(image):
    return cv2.cvtColor(to_rgb(image), cv2.COLOR_RGB2BGR)


class OpenCVTracker:
    """An OpenCV tracker (``kind`` in :data:`OPENCV_TRACKERS`) with ``init(image, box)`` / ``update(image) -> box``."""

    def __init__(self, kind):
        if kind not in OPENCV_TRACKERS:
            raise TfLuError(f"unknown OpenCV tracker {kind!r}; known: {', '.join(sorted(OPENCV_TRACKERS))}")
        self.kind = kind
        self.name = f"opencv-{kind}"
        self.fingerprint = {"opencv": kind, "version": cv2.__version__}   # what its results depend on
        self._tracker = None
        self._box = None

    def init(self, image, box):
        """Start on ``image`` at the 0-based box (a fresh OpenCV tracker each time)."""
        image = to_rgb(image)
        box = validate_initial_box(box, image.shape)
        self._tracker = OPENCV_TRACKERS[self.kind]()
        try:
            ok = self._tracker.init(_bgr(image), _int_rect(box, image.shape))
        except cv2.error as exc:
            message = str(exc).strip().splitlines()[-1] if str(exc).strip() else exc.__class__.__name__
            raise TfLuError(f"{self.name} cannot start on box {box.tolist()}: {message}") from None
        if ok is False:
            raise TfLuError(f"{self.name} cannot start on box {box.tolist()}")
        self._box = box.copy()

    def update(self, image):
        """The box in ``image``; the last box again when OpenCV loses the target."""
        if self._tracker is None:
            raise RuntimeError(f"{self.name}: update() before init()")
        try:
            ok, rect = self._tracker.update(_bgr(image))
        except cv2.error:
            ok, rect = False, None
        if ok:
            candidate = np.asarray(rect, dtype=np.float64).reshape(-1)
            if candidate.shape == (4,) and np.all(np.isfinite(candidate)) and candidate[2] > 0 and candidate[3] > 0:
                self._box = candidate
        return self._box.copy()
