"""The long-sequence memory measurement: the looped frame order, the checkpoints, the overrides of the command."""
import numpy as np
import pytest

from tf_lu.cli.time_memory import parse_overrides
from tf_lu.errors import TfLuError
from tf_lu.timing.memory import measure_memory, ping_pong, resident_mib


def test_ping_pong_plays_the_loop_forwards_then_backwards():
    assert ping_pong(9, 4).tolist() == [0, 1, 2, 3, 2, 1, 0, 1, 2]
    assert ping_pong(3, 1).tolist() == [0, 0, 0]


class CountingTracker:
    def __init__(self):
        self.inits, self.updates, self.shapes = 0, 0, set()

    def init(self, image, box):
        self.inits += 1
        assert np.all(np.isfinite(box))

    def update(self, image):
        self.updates += 1
        self.shapes.add(image.shape)
        return np.array([1.0, 1.0, 5.0, 5.0])


def test_measure_memory_tracks_the_asked_frames_and_reports_each_checkpoint():
    tracker, seen = CountingTracker(), []
    result = measure_memory(tracker, [30, 5, 30], loop_frames=6, size=(48, 64),
                            report=lambda *row: seen.append(row))
    assert tracker.inits == 1 and tracker.updates == 29 and tracker.shapes == {(48, 64, 3)}
    assert result["frames"] == [5, 30] and [row[0] for row in seen] == [5, 30]
    assert all(rss > 0 for rss in result["rss_mib"]) and resident_mib() > 0
    with pytest.raises(TfLuError, match="positive"):
        measure_memory(tracker, [0, 10])


def test_overrides_of_the_command():
    assert parse_overrides(["track.scale_num=1", "updater.ema.alpha=0.1", "updater.kind=ema"]) == {
        "track": {"scale_num": 1}, "updater": {"ema": {"alpha": 0.1}, "kind": "ema"}}
    with pytest.raises(TfLuError, match="KEY=VALUE"):
        parse_overrides(["track.scale_num"])
