"""Timing: per-frame cost of trackers side by side, and the SiamFC step's networks under a Keras backend."""
from tf_lu.cli import time_backend, time_frames
from tf_lu.cli.common import add_group


def add_arguments(parser):
    add_group(parser, {"frames": time_frames, "backend": time_backend})
