"""The dataset readers by name, and listing and reading a dataset's videos and tracks."""
import dataclasses
from typing import Callable, Dict, Iterator, List, Tuple

from tf_lu.data.datasets.common import Track, Video
from tf_lu.data.datasets.got10k import got10k_tracks, got10k_videos
from tf_lu.data.datasets.lasot import lasot_tracks, lasot_videos
from tf_lu.data.datasets.otb import otb_tracks, otb_videos
from tf_lu.data.datasets.trackingnet import trackingnet_tracks, trackingnet_videos
from tf_lu.data.datasets.vid import vid_tracks, vid_videos
from tf_lu.data.datasets.vot import vot_tracks, vot_videos
from tf_lu.errors import TfLuError


@dataclasses.dataclass(frozen=True)
class DatasetReader:
    """``videos(root, split)`` lists a dataset's videos; ``tracks(video)`` parses one of them.  Calling the reader
    yields every track (see :func:`read_dataset`)."""
    kind: str
    videos: Callable[..., List[Video]]
    tracks: Callable[[Video], List[Track]]
    splits: Tuple[str, ...] = ()
    description: str = ""

    def __call__(self, root, split=None, limit=None):
        return read_dataset(self.kind, root, split, limit)


DATASET_READERS: Dict[str, DatasetReader] = {
    "vid": DatasetReader("vid", vid_videos, vid_tracks, ("train", "val"), "ImageNet VID 2015"),
    "got10k": DatasetReader("got10k", got10k_videos, got10k_tracks, ("train", "val", "test"), "GOT-10k"),
    "lasot": DatasetReader("lasot", lasot_videos, lasot_tracks, ("train", "test"), "LaSOT"),
    "trackingnet": DatasetReader("trackingnet", trackingnet_videos, trackingnet_tracks, ("train", "test"),
                                 "TrackingNet"),
    "vot": DatasetReader("vot", vot_videos, vot_tracks, (), "VOT"),
    "otb": DatasetReader("otb", otb_videos, otb_tracks, (), "OTB"),
}


def get_reader(kind):
    if kind not in DATASET_READERS:
        raise TfLuError(f"unknown dataset {kind!r} (known: {', '.join(DATASET_READERS)})")
    return DATASET_READERS[kind]


def list_videos(kind, root, split=None, limit=None):
    """The videos of a dataset (at most ``limit``), without parsing annotations."""
    if limit is not None and limit < 1:
        raise TfLuError(f"limit must be at least 1, got {limit}")
    videos = get_reader(kind).videos(root, split)
    return videos[:limit] if limit else videos


def read_dataset(kind, root, split=None, limit=None) -> Iterator[Track]:
    """Every track of the first ``limit`` videos (all when ``None``) of dataset ``kind`` under ``root``.

    The videos are listed now (a bad ``root`` fails at once); annotations are parsed lazily as the iterator runs."""
    reader = get_reader(kind)
    videos = list_videos(kind, root, split, limit)

    def generate():
        for video in videos:
            yield from reader.tracks(video)

    return generate()
