"""Readers for the large tracking datasets: ImageNet VID 2015, GOT-10k, LaSOT, TrackingNet, VOT and OTB.

Every reader yields tracks as :class:`Track` objects, a :class:`~tf_lu.data.sequences.Sequence` with lazy frame
paths, 0-based ``(x, y, w, h)`` boxes (see :mod:`tf_lu.geometry.boxes`; NaN rows where the target is absent) and
``absent`` flags, plus the dataset's name and, where the dataset has them, per-frame ``occluded`` flags.

Readers work in two steps so that a curation can spread a dataset over worker processes cheaply:
``reader.videos(root, split)`` lists the videos (a directory listing, no annotation is parsed) as small picklable
:class:`Video` records, and ``reader.tracks(video)`` parses one video's annotations into its tracks (several for a
VID snippet, one for the other datasets). :func:`read_dataset` chains both::

    for track in read_dataset("got10k", "/data/GOT-10k", split="train", limit=10):
        print(track.name, len(track), track.absent.sum())

Conventions per dataset (all converted to our 0-based pixel-index boxes), one module each:

* **VID** (:mod:`.vid`) -- ``<xmin> <ymin> <xmax> <ymax>`` are 0-based, inclusive pixel indices, so ``x = xmin``,
  ``y = ymin``, ``w = xmax - xmin + 1``, ``h = ymax - ymin + 1``. One track per (snippet, ``trackid``) spanning the
  frames from its first to its last appearance; frames inside that span where the id is missing are absent (gaps are
  kept). ``<occluded>1`` becomes ``occluded`` (the target is still visible).
* **GOT-10k** (:mod:`.got10k`) -- ``groundtruth.txt`` is 0-based ``x,y,w,h``. A frame is absent when
  ``absence.label`` says 1 or ``cover.label`` says 0 (no part visible), as in the GOT-10k toolkit; ``0 < cover < 8``
  is ``occluded``.
* **LaSOT** (:mod:`.lasot`) -- ``groundtruth.txt`` is 1-based ``x,y,w,h``; absent = ``full_occlusion`` or
  ``out_of_view``.
* **TrackingNet** (:mod:`.trackingnet`) -- ``anno/<video>.txt`` is 0-based ``x,y,w,h``.
* **VOT** (:mod:`.vot`) -- ``groundtruth.txt`` holds ``x,y,w,h`` rectangles or ``x1,y1,...,x4,y4`` polygons, 0-based
  as the VOT toolkit reads them (:func:`tf_lu.data.vot_sequences.parse_vot_groundtruth`); a polygon becomes its
  axis-aligned min/max rectangle, ``x = min(xs)``, ``w = max(xs) - min(xs)``; ``0,0,0,0`` or NaN is absent.
* **OTB** (:mod:`.otb`) -- 1-based ``groundtruth_rect.txt`` through :func:`tf_lu.data.sequences.read_otb_sequence`.

In every dataset a box with ``w <= 0`` or ``h <= 0`` (or non-finite values) is absent too. A corrupt annotation
(malformed XML, a wrong number of values, a count that does not match the frames) is a :class:`TfLuError` naming the
file and, where there is one, the line. Shared pieces are in :mod:`.common`, the readers by name in
:mod:`.registry`.
"""
from tf_lu.data.datasets.common import Track, Video, read_boxes, read_flags
from tf_lu.data.datasets.registry import DATASET_READERS, DatasetReader, get_reader, list_videos, read_dataset
from tf_lu.data.datasets.vid import parse_vid_xml
from tf_lu.data.datasets.vot import vot_boxes

__all__ = ["DATASET_READERS", "DatasetReader", "Track", "Video", "get_reader", "list_videos", "parse_vid_xml",
           "read_boxes", "read_dataset", "read_flags", "vot_boxes"]
