"""OTB: 1-based ``groundtruth_rect.txt`` through :func:`tf_lu.data.sequences.read_otb_sequence`."""
import os

from tf_lu.data.datasets.common import Track, Video, require_dir, subdirs
from tf_lu.data.sequences import is_otb_folder, read_otb_sequence
from tf_lu.errors import TfLuError


def otb_videos(root, split=None):
    """OTB-layout sub-folders (``img/`` + ``groundtruth_rect.txt``)."""
    require_dir(root, "OTB folder")
    names = [n for n in subdirs(root) if is_otb_folder(os.path.join(root, n))]
    if not names:
        raise TfLuError(f"{root}: no OTB-layout sequences (sub-folders with img/ and groundtruth_rect.txt)")
    return [Video("otb", n, os.path.join(root, n, "img"), os.path.join(root, n, "groundtruth_rect.txt"))
            for n in names]


def otb_tracks(video):
    sequence = read_otb_sequence(os.path.dirname(video.frames), name=video.name)
    return [Track(name=sequence.name, frames=sequence.frames, boxes=sequence.boxes, absent=sequence.absent,
                  dataset="otb")]
