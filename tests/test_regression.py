"""Tracking is deterministic: the shipped trackers on a fixed generated sequence give stored results.

Any change of tracking behaviour (crops, networks, response post-processing, updaters, config resolution) fails
here.  When a change of behaviour is intended, measure it on eval_dev, then store the new values.
"""
import numpy as np
import pytest

from tf_lu.data.synthetic import SyntheticConfig, generate_sequence
from tf_lu.evaluation.metrics import sequence_metrics
from tf_lu.evaluation.otb import run_sequence
from tf_lu.tracking.registry import build_tracker

STORED = {
    "siamfc-none": (0.43452380952380953, [77.95128951576555, 40.910462173043456, 57.7884691403561,
                                          48.587685789273955]),
    "siamfc-learned": (0.4404761904761904, [78.19838584637817, 40.74974321439616, 59.12515815494598,
                                            49.711554041971986]),
    "siamfc-base-none": (0.36666666666666664, [20.87793698655842, 18.903399806945615, 61.66922332667426,
                                               51.850566219144355]),
    "siamfc-base-learned": (0.1630952380952381, [154.03343441573497, 47.12059807936927, 55.31375838290657,
                                                 46.50698577262782]),
    "cfnet-none": (0.5392857142857144, [69.69063691292689, 37.11242334500807, 67.50942666725335, 56.7609223694055]),
    "cfnet-learned": (0.5630952380952381, [106.78470257871643, 35.08066433822037, 82.43372111355588,
                                           69.3090472803172]),
}


@pytest.fixture(scope="module")
def sequence():
    return generate_sequence(7, SyntheticConfig(num_frames=40, height=180, width=240), name="regression")


@pytest.mark.parametrize("name", sorted(STORED))
def test_shipped_tracker_reproduces_its_stored_result(sequence, name):
    boxes, _ = run_sequence(build_tracker(name), sequence)
    auc, last_box = STORED[name]
    assert sequence_metrics(boxes, sequence.boxes)["auc"] == pytest.approx(auc, abs=1e-9)
    np.testing.assert_allclose(boxes[-1], last_box, atol=1e-3)
