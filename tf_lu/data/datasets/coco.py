"""COCO detection JSON: boxed objects in still photos (``instances.json``: ``images``, ``annotations``,
``categories``), the format detection data sets come in.

``bbox`` is ``[x, y, w, h]`` in pixels with a 0-based top-left corner (COCO's convention; OTB boxes are 1-based).
Crowd regions (``iscrowd: 1``) are not single objects and are skipped.  A folder argument means
``<folder>/instances.json``; the photos are in ``images/`` beside the annotation file, else next to it.
"""
import dataclasses
import json
import math
import os
from typing import List, Tuple

from tf_lu.errors import TfLuError

ANNOTATION_FILE = "instances.json"
IMAGE_FOLDER = "images"


@dataclasses.dataclass(frozen=True)
class StillObject:
    """One boxed object of a photo: the photo's path and size, the 0-based box, and its category's name."""
    image: str
    width: int
    height: int
    box: Tuple[float, float, float, float]
    category: str
    name: str                            # unique: coco-<category>-<photo>-<annotation id>


def coco_paths(source):
    """``(annotation file, image folder)`` for a COCO folder or an annotation file."""
    json_path = os.path.join(source, ANNOTATION_FILE) if os.path.isdir(source) else source
    beside = os.path.dirname(os.path.abspath(json_path))
    folder = os.path.join(beside, IMAGE_FOLDER)
    return json_path, folder if os.path.isdir(folder) else beside


def _load(json_path):
    if not os.path.isfile(json_path):
        raise TfLuError(f"COCO annotation file not found: {json_path}")
    try:
        with open(json_path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TfLuError(f"malformed COCO annotation file {json_path}: {exc}") from None
    missing = [key for key in ("images", "annotations", "categories")
               if not isinstance(data, dict) or not isinstance(data.get(key), list)]
    if missing:
        raise TfLuError(f"{json_path}: not COCO detection JSON (no list {', '.join(repr(k) for k in missing)})")
    return data


def _field(entry, key, kind, where):
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise TfLuError(f"{where}: {key!r} missing or not {getattr(kind, '__name__', 'a number')}")
    return value


def _box(annotation, image, where):
    """The annotation's ``[x, y, w, h]`` clipped to its photo; a malformed or empty box is a TfLuError."""
    box = annotation.get("bbox")
    if not isinstance(box, list) or len(box) != 4 or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in box):
        raise TfLuError(f"{where}: bbox must be four finite numbers [x, y, w, h], got {box!r}")
    x, y, w, h = (float(v) for v in box)
    x0, y0 = max(0.0, x), max(0.0, y)
    x1, y1 = min(float(image["width"]), x + w), min(float(image["height"]), y + h)
    if w <= 0 or h <= 0 or x1 <= x0 or y1 <= y0:
        raise TfLuError(f"{where}: bbox {box} is empty or outside its {image['width']}x{image['height']} photo")
    return x0, y0, x1 - x0, y1 - y0


def _images(data, folder, json_path):
    images = {}
    for k, entry in enumerate(data["images"]):
        where = f"{json_path}: images[{k}]"
        image_id = _field(entry, "id", int, where)
        file_name = _field(entry, "file_name", str, where)
        if os.path.basename(file_name) != file_name:
            raise TfLuError(f"{where}: file_name must be a file name, got {file_name!r}")
        images[image_id] = {"path": os.path.join(folder, file_name), "stem": os.path.splitext(file_name)[0],
                            "width": _field(entry, "width", int, where), "height": _field(entry, "height", int, where)}
    return images


def read_coco_objects(source, min_size=0.0):
    """The objects of a COCO detection file (see the module docstring) whose shorter side is at least ``min_size``
    pixels, in annotation order.  A missing file or photo, or a malformed entry, is a :class:`TfLuError`."""
    json_path, folder = coco_paths(source)
    data = _load(json_path)
    images = _images(data, folder, json_path)
    categories = {_field(c, "id", int, f"{json_path}: categories"): _field(c, "name", str, f"{json_path}: categories")
                  for c in data["categories"]}
    objects: List[StillObject] = []
    for k, annotation in enumerate(data["annotations"]):
        where = f"{json_path}: annotations[{k}]"
        image = images.get(_field(annotation, "image_id", int, where))
        category = categories.get(_field(annotation, "category_id", int, where))
        if image is None or category is None:
            raise TfLuError(f"{where}: image_id or category_id names no image or category of the file")
        if annotation.get("iscrowd"):
            continue
        box = _box(annotation, image, where)
        if min(box[2], box[3]) < min_size:
            continue
        if not os.path.isfile(image["path"]):
            raise TfLuError(f"{where}: photo not found: {image['path']}")
        label = category.replace(" ", "_")
        objects.append(StillObject(image["path"], image["width"], image["height"], box, category,
                                   f"coco-{label}-{image['stem']}-{annotation.get('id', k)}"))
    if not objects:
        raise TfLuError(f"{json_path}: no object with a shorter side of at least {min_size:g} px")
    return objects
