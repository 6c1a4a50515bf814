"""Our OTB success AUC and precision@20 against the got10k toolkit's OTB experiment on the same result files.

got10k (0.1.3) is run offline: its ExperimentOTB always asks to download, so the experiment is built here around its
OTB dataset class with ``download=False``.  Its definitions match ours: success at 21 thresholds 0, 0.05, ..., 1
(IoU strictly above), AUC = their mean, precision at 20 px of centre error ``x + (w - 1) / 2`` (at most), sequences
averaged unweighted.  Two documented differences do not arise here: got10k adds machine epsilon to the union, and
it counts frames whose ground truth is absent (we leave them out), so the generated sequences have no absent frames.
"""
import os

import numpy as np
import pytest

from tf_lu.data.sequences import read_otb_dataset
from tf_lu.data.synthetic import SyntheticConfig, generate_dataset, write_otb_folder
from tf_lu.evaluation.metrics import sequence_metrics
from tf_lu.evaluation.otb import evaluate_result_dir, write_results_file

got10k_experiments = pytest.importorskip("got10k.experiments", reason="got10k is not installed")
got10k_datasets = pytest.importorskip("got10k.datasets")

# got10k's OTB class only reads sequences named as in OTB-2015 (and special-cases a few, e.g. David): plain names
OTB_NAMES = ("Basketball", "Biker", "Bird1", "BlurBody")


class OfflineExperimentOTB(got10k_experiments.ExperimentOTB):
    """got10k's OTB experiment over an existing folder, without its download step."""

    def __init__(self, root_dir, result_dir, report_dir):  # noqa: D107 - got10k's own __init__ downloads OTB
        self.dataset = got10k_datasets.OTB(root_dir, 2015, download=False)
        self.result_dir = os.path.join(result_dir, "OTB2015")
        self.report_dir = os.path.join(report_dir, "OTB2015")
        self.nbins_iou, self.nbins_ce = 21, 51


def predictions(boxes, rng, drift):
    """Tracker-like boxes: the ground truth with noise growing by ``drift``, frame 0 exact, some frames far off."""
    noise = rng.normal(0.0, 1.0, boxes.shape) * (1.0 + drift * np.arange(len(boxes)))[:, None]
    predicted = boxes + noise * np.array([1.0, 1.0, 0.3, 0.3])
    predicted[:, 2:] = np.maximum(predicted[:, 2:], 2.0)
    lost = rng.random(len(boxes)) < 0.1
    predicted[lost, :2] += 60.0
    predicted[0] = boxes[0]
    return predicted


@pytest.fixture(scope="module")
def otb_with_results(tmp_path_factory):
    root = tmp_path_factory.mktemp("got10k")
    data, results = str(root / "data"), str(root / "results" / "OTB2015")
    config = SyntheticConfig(num_frames=40, height=120, width=160, occlusion_prob=0.0)
    for name, sequence in zip(OTB_NAMES, generate_dataset(7, len(OTB_NAMES), config)):
        write_otb_folder(sequence, os.path.join(data, name))
    sequences = read_otb_dataset(data)
    assert not any(s.absent.any() for s in sequences)
    rng = np.random.default_rng(3)
    for tracker, drift in (("steady", 0.05), ("drifting", 0.6)):
        os.makedirs(os.path.join(results, tracker))
        for sequence in sequences:
            write_results_file(os.path.join(results, tracker, f"{sequence.name}.txt"),
                               predictions(sequence.boxes, rng, drift))
    return root, data, results, sequences


def test_auc_and_precision_agree_with_got10k(otb_with_results):
    root, data, results, sequences = otb_with_results
    experiment = OfflineExperimentOTB(data, str(root / "results"), str(root / "reports"))
    assert experiment.dataset.seq_names == sorted(OTB_NAMES)
    performance = experiment.report(["steady", "drifting"])
    ours = evaluate_result_dir(results, sequences, ["steady", "drifting"])
    for tracker in ("steady", "drifting"):
        theirs = performance[tracker]
        assert ours[tracker]["auc"] == pytest.approx(theirs["overall"]["success_score"], abs=1e-6)
        assert ours[tracker]["precision"] == pytest.approx(theirs["overall"]["precision_score"], abs=1e-6)
        for sequence in sequences:
            mine, got = ours[tracker]["sequences"][sequence.name], theirs["seq_wise"][sequence.name]
            assert mine["auc"] == pytest.approx(got["success_score"], abs=1e-6)
            assert mine["precision"] == pytest.approx(got["precision_score"], abs=1e-6)
    # the two trackers differ, so agreement is not trivial
    assert abs(ours["steady"]["auc"] - ours["drifting"]["auc"]) > 0.05


def test_a_perturbed_result_no_longer_agrees(otb_with_results):
    """The comparison can fail: moving one box changes our AUC away from got10k's value on the unchanged file."""
    root, data, results, sequences = otb_with_results
    experiment = OfflineExperimentOTB(data, str(root / "results"), str(root / "reports"))
    theirs = experiment.report(["steady"])["steady"]["seq_wise"][sequences[0].name]["success_score"]
    boxes = np.loadtxt(os.path.join(results, "steady", f"{sequences[0].name}.txt"), delimiter=",") - [1, 1, 0, 0]
    boxes[5:15, 0] += 40.0
    assert abs(sequence_metrics(boxes, sequences[0].boxes)["auc"] - theirs) > 1e-3
