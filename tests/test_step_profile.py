"""``tf-lu time step``: every part of the step is timed on that step's inputs and reported beside the whole update."""
import pytest

from tf_lu.cli.main import main
from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.errors import TfLuError
from tf_lu.timing.step_profile import profile_step, profile_table
from tf_lu.tracking.registry import build_tracker

PARTS = ["host: frame to tensor", "crops: search pyramid", "exemplar: crop and features", "search features: one scale",
         "search features: 3 scales in one batch", "correlation", "upsampling", "peak and penalties", "updater",
         "after the extractor, as the step runs it", "graph step", "tracker.update", "Python and host work"]


@pytest.mark.parametrize("name", ["siamfc-none", "siamfc-learned"])
def test_every_part_is_timed_and_the_python_work_is_the_update_minus_the_graph_step(name):
    sequence = generate_sequence(5, SyntheticConfig(num_frames=4, height=120, width=160), name="profile")
    medians = profile_step(build_tracker(name), [sequence.frame(i) for i in range(4)], sequence.boxes[0], repeats=3)
    assert list(medians) == PARTS
    assert all(value > 0 for key, value in medians.items() if key != "Python and host work")
    assert medians["Python and host work"] == pytest.approx(medians["tracker.update"] - medians["graph step"])
    table = profile_table(medians)
    assert table.count("\n") == len(PARTS) + 1 and "| tracker.update | " in table and "100%" in table


def test_the_profile_needs_two_frames_and_a_repeat():
    tracker = build_tracker("siamfc-none")
    sequence = generate_sequence(5, SyntheticConfig(num_frames=2, height=120, width=160), name="profile")
    with pytest.raises(TfLuError, match="2 frames"):
        profile_step(tracker, [sequence.frame(0)], sequence.boxes[0])
    with pytest.raises(TfLuError, match="repeats"):
        profile_step(tracker, [sequence.frame(0), sequence.frame(1)], sequence.boxes[0], repeats=0)


def test_the_command_prints_one_column_pair_per_tracker_and_the_load(capsys):
    assert main(["time", "step", "--trackers", "siamfc-none,siamfc-none-fast", "--frames", "3", "--repeats", "2"]) == 0
    out = capsys.readouterr().out
    assert "| part of the step | siamfc-none ms | share | siamfc-none-fast ms | share |" in out
    assert "| crops: search pyramid |" in out and "load average" in out


def test_a_table_of_trackers_with_different_parts_marks_the_missing_ones():
    table = profile_table({"a": {"x": 1.0, "tracker.update": 2.0}, "b": {"y": 1.0, "tracker.update": 4.0}})
    assert "| x | 1.00 | 50% | - | - |" in table and "| y | - | - | 1.00 | 25% |" in table
