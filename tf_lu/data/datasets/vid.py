"""ImageNet VID 2015: ``<xmin> <ymin> <xmax> <ymax>`` are 0-based, inclusive pixel indices, so ``x = xmin``,
``y = ymin``, ``w = xmax - xmin + 1``, ``h = ymax - ymin + 1``.  One track per (snippet, ``trackid``) spanning the
frames from its first to its last appearance; frames inside that span where the id is missing are absent (gaps are
kept).  ``<occluded>1`` becomes ``occluded`` (the target is still visible)."""
import os
import xml.etree.ElementTree as ElementTree

import numpy as np

from tf_lu.data.datasets.common import Track, Video, invalid_boxes, read_annotation, require_dir
from tf_lu.errors import TfLuError


def _vid_root(root):
    for candidate in (root, os.path.join(root, "ILSVRC2015"), os.path.join(root, "ILSVRC")):
        if os.path.isdir(os.path.join(candidate, "Annotations", "VID")):
            return candidate
    raise TfLuError(f"{root}: not an ImageNet VID folder (expected Annotations/VID/ and Data/VID/)")


def vid_videos(root, split=None):
    """VID snippets of ``split`` (``train`` or ``val``; default ``train``), nested train folders included."""
    split = split or "train"
    base = _vid_root(root)
    annotations = require_dir(os.path.join(base, "Annotations", "VID", split), f"VID {split} annotations")
    data = os.path.join(base, "Data", "VID", split)
    videos = []

    def visit(relative, depth):
        folder = os.path.join(annotations, relative)
        names = os.listdir(folder)
        if any(n.endswith(".xml") for n in names):
            videos.append(Video("vid", relative.replace(os.sep, "/"), os.path.join(data, relative), folder))
        elif depth < 2:
            for name in sorted(names):
                if os.path.isdir(os.path.join(folder, name)):
                    visit(os.path.join(relative, name) if relative else name, depth + 1)

    visit("", 0)
    if not videos:
        raise TfLuError(f"{annotations}: no annotated VID snippets")
    return videos


def _xml_line(text, needle):
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else None


def parse_vid_xml(path, text=None):
    """One VID annotation file -> ``(width, height, {trackid: (box, occluded)})`` with 0-based ``x,y,w,h`` boxes."""
    text = read_annotation(path) if text is None else text
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise TfLuError(f"{path}, line {line}: malformed XML ({str(exc).split(':')[0]})") from None

    def number(element, tag, where):
        node = element.find(tag)
        raw = node.text.strip() if node is not None and node.text else None
        try:
            return float(raw)
        except (TypeError, ValueError):
            leaf = tag.split("/")[-1]
            line = _xml_line(text, f"<{leaf}>{raw}" if raw is not None else f"<{leaf}")
            raise TfLuError(f"{path}" + (f", line {line}" if line else "") +
                            f": {where}: missing or bad <{tag}> value {raw!r}") from None

    size = root.find("size")
    width = number(size, "width", "size") if size is not None else float("nan")
    height = number(size, "height", "size") if size is not None else float("nan")
    objects = {}
    for obj in root.findall("object"):
        track = obj.find("trackid")
        if track is None or not (track.text or "").strip():
            line = _xml_line(text, "<object")
            raise TfLuError(f"{path}" + (f", line {line}" if line else "") + ": <object> without <trackid>")
        trackid = track.text.strip()
        where = f"object trackid {trackid}"
        xmin, ymin = number(obj, "bndbox/xmin", where), number(obj, "bndbox/ymin", where)
        xmax, ymax = number(obj, "bndbox/xmax", where), number(obj, "bndbox/ymax", where)
        occluded = obj.find("occluded")
        try:
            flag = bool(int(float(occluded.text)))
        except (AttributeError, TypeError, ValueError):
            flag = False
        objects[trackid] = ([xmin, ymin, xmax - xmin + 1.0, ymax - ymin + 1.0], flag)
    return width, height, objects


def vid_tracks(video):
    """The tracks of one VID snippet: one per track id, spanning its first..last appearance (gaps absent)."""
    names = sorted(n for n in os.listdir(video.annotation) if n.endswith(".xml"))
    frames = [os.path.join(video.frames, os.path.splitext(n)[0] + ".JPEG") for n in names]
    if not os.path.isdir(video.frames):
        raise TfLuError(f"VID frames folder not found: {video.frames}")
    per_frame = [parse_vid_xml(os.path.join(video.annotation, n))[2] for n in names]
    ids = sorted({t for objects in per_frame for t in objects}, key=lambda t: (len(t), t))
    tracks = []
    for trackid in ids:
        present = [i for i, objects in enumerate(per_frame) if trackid in objects]
        first, last = present[0], present[-1]
        boxes = np.full((last - first + 1, 4), np.nan)
        occluded = np.zeros(last - first + 1, bool)
        for i in range(first, last + 1):
            if trackid in per_frame[i]:
                boxes[i - first], occluded[i - first] = per_frame[i][trackid]
        tracks.append(Track(name=f"{video.name}/{trackid}", frames=frames[first:last + 1], boxes=boxes,
                            absent=invalid_boxes(boxes), dataset="vid", occluded=occluded))
    return tracks
