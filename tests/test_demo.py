"""The README's main job (tf_lu/apps/demo.py) on given sequences, with a tracker named by its config file."""
import os

from tf_lu.apps.demo import run_demo
from tf_lu.resources import shipped_config


def test_demo_accepts_a_tracker_config_path(tmp_path, generated_otb_folder):
    path = shipped_config("trackers/siamfc-none")
    summary, gif, mean_length = run_demo(str(tmp_path), data=generated_otb_folder, trackers=(path, "opencv-kcf"),
                                         progress=False)
    assert os.path.isfile(gif) and mean_length == 8
    assert os.path.isfile(tmp_path / "results" / "siamfc-none" / f"{os.path.basename(gif)[:-4]}.txt")
