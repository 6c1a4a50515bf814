"""Representative crops to calibrate an int8 feature extractor's activation ranges on.

The crops are cut as the tracker cuts them (:func:`tf_lu.geometry.crops.crop_tf`, context margin, scale pyramid)
around the annotated target of frames spread over sequences: an exemplar crop and the search pyramid per frame.  The
sequences are ``config.calibration`` (OTB-layout folders, for example the target-centred training crops
``train_crops``), or generated ones (:mod:`tf_lu.data.synthetic`) where the config names none.  Never an evaluation
set: calibration is part of building the model.
"""
import numpy as np

from tf_lu.data.sequences import read_otb_folders
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset
from tf_lu.geometry.crops import crop_tf, exemplar_side, scale_factors

FRAMES = 48          # calibration frames in all, spread evenly over the sequences and over each one's frames


def calibration_frames(config, count=FRAMES):
    """``[(image, box)]``: ``count`` annotated frames of the calibration sequences."""
    if config.calibration:
        sequences = read_otb_folders(config.calibration)
    else:
        sequences = generate_dataset(7100, 8, SyntheticConfig(num_frames=30, height=240, width=320))
    per_sequence = max(1, -(-count // len(sequences)))
    found = []
    for index in np.linspace(0, len(sequences) - 1, min(count, len(sequences))).astype(int):
        sequence = sequences[index]
        usable = [i for i in range(len(sequence)) if np.all(np.isfinite(sequence.boxes[i]))]
        for frame in np.array(usable)[np.linspace(0, len(usable) - 1, min(per_sequence, len(usable))).astype(int)]:
            found.append((sequence.frame(int(frame)), sequence.boxes[int(frame)]))
    return found[:count]


def crops_at(image, box, track):
    """The exemplar crop (1, e, e, 3) and the search pyramid (K, s, s, 3) the tracker cuts around ``box``."""
    x, y, w, h = (float(v) for v in box)
    center = np.array([x + (w - 1) / 2.0, y + (h - 1) / 2.0], np.float32)
    z_side = exemplar_side(w, h, track.context)
    x_side = z_side * track.instance_size / track.exemplar_size
    sides = x_side * scale_factors(track.scale_num, track.scale_step)
    exemplar = crop_tf(image, center, [z_side], track.exemplar_size)
    return exemplar.numpy(), crop_tf(image, center, sides, track.instance_size).numpy()


def calibration_batches(config):
    """Alternating exemplar crops and search pyramids (float32 batches) of :func:`calibration_frames`."""
    for image, box in calibration_frames(config):
        exemplar, pyramid = crops_at(image, box, config.track)
        yield exemplar
        yield pyramid
