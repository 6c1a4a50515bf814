"""Timing: per-frame cost of trackers side by side, the parts of one tracking step, the SiamFC step's networks under
a Keras backend, a tracker's memory over long sequences, the training input pipelines, and the parts of a meta-training step."""
from tf_lu.cli import time_backend, time_frames, time_memory, time_meta_step, time_pipeline, time_step
from tf_lu.cli.common import add_group


def add_arguments(parser):
    add_group(parser, {"frames": time_frames, "step": time_step, "backend": time_backend, "memory": time_memory,
                       "pipeline": time_pipeline, "meta-step": time_meta_step})
