"""Timing and resource benchmarks (the ``tf-lu time`` commands), apart from the metrics of tracking quality.

* :mod:`.frames` -- what one tracker costs over another per frame (trackers in turn on the same frames);
* :mod:`.step_profile` -- one tracking step's parts (crops, features, correlation, upsampling, peak, updater) side by
  side, per tracker;
* :mod:`.meta_step` -- one meta-training step of the updater, part by part (SiamFC or CFNet);
* :mod:`.backend` -- the step's networks alone under the active Keras backend, and their outputs on fixed inputs;
* :mod:`.pipeline` -- the training input pipelines alone (decode, augment, batch) on 1, 2, ... ``tf.data`` threads;
* :mod:`.memory` -- a tracker's resident memory over long sequences.
"""
