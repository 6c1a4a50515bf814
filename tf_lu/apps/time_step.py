"""``tf-lu time step``: the parts of one tracking step of several trackers, round after round on the same frames."""
from tf_lu.evaluation.benchmark import build_trackers
from tf_lu.timing.step_profile import load_text, profile_steps, profile_table


def step_frames(data=None, sequence=None, count=20):
    """The first ``count`` frames and the first box of sequence ``sequence`` (default: the first) of the OTB folder
    ``data``, or of a generated 480x360 sequence without ``data``."""
    if data:
        from tf_lu.data.sequences import read_otb_folders
        chosen = read_otb_folders(data, [sequence] if sequence else None)[0]
    else:
        from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
        chosen = generate_sequence(0, SyntheticConfig(num_frames=count, height=360, width=480), name="timing")
    return [chosen.frame(index) for index in range(min(count, len(chosen)))], chosen.boxes[0]


def profile_trackers(names, data=None, sequence=None, frames=20, repeats=50):
    """The profile table of trackers ``names`` after tracking ``frames`` frames (:func:`step_frames`), then
    ``repeats`` rounds of every part, with the load average before and after."""
    images, box = step_frames(data, sequence, frames)
    before = load_text()
    profiles = profile_steps(build_trackers(names), images, box, repeats)
    return (f"{profile_table(profiles)}\n\n{len(images)} frames tracked, then {repeats} rounds; before: {before}; "
            f"after: {load_text()}")
