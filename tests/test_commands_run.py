"""Every ``tf-lu`` subcommand runs once, in-process, with its defaults on tiny generated data: only what the command
requires is given, plus the sizes that keep it short (steps, frames, trials).  A subcommand missing from ``RUNS`` fails
``test_every_subcommand_has_a_run``, so no command lands without a run (an import error inside a command, as once in
``tf-lu time backend``, shows here)."""
import json
import os
import shlex

import pytest

from conftest import FEATURE_NAMES, ROOT
from test_cli import command_paths
from tf_lu.cli.main import main

CONFIGS = os.path.join(ROOT, "configs")
UPDATER_CONFIG = os.path.join(CONFIGS, "updater_siamfc_half.yaml")
NONE_CONFIG = os.path.join(CONFIGS, "trackers", "siamfc-none.yaml")


@pytest.fixture(scope="module")
def world(tmp_path_factory, generated_otb_folder, shipped_shape_features):
    """The inputs the commands read: OTB sequences, square crop sequences, a tiny GOT-10k root curated into pair and
    sequence records, feature records, crop walks in two folds and a result folder."""
    from test_datasets import write_got10k
    from tf_lu.data.curation import CurateSettings, curate
    from tf_lu.data.sequences import Sequence, read_otb_dataset, write_otb_folder
    from tf_lu.data.synthetic import SyntheticConfig, write_dataset
    root = tmp_path_factory.mktemp("world")
    crops = str(root / "crops")
    write_dataset(crops, 5, 2, SyntheticConfig(num_frames=6, height=64, width=64))
    got10k = write_got10k(str(root / "GOT-10k"), videos=2)
    records = str(root / "records")
    curate(CurateSettings(dataset="got10k", root=got10k, out=records, unroll=2, max_length=4, max_interval=1,
                          pairs_per_track=6), progress=False)
    sequences = read_otb_dataset(generated_otb_folder)
    for fold, (name, sequence) in enumerate(zip(FEATURE_NAMES, sequences)):
        write_otb_folder(Sequence(name=name, frames=[sequence.frame(i) for i in range(len(sequence))],
                                  boxes=sequence.boxes), str(root / "walks" / f"fold{fold}" / name))
    (root / "walks" / "folds.json").write_text(json.dumps({"folds": [[FEATURE_NAMES[0]], [FEATURE_NAMES[1]]]}))
    os.makedirs(root / "results" / "truth")
    for sequence in sequences:
        with open(os.path.join(generated_otb_folder, sequence.name, "groundtruth_rect.txt")) as source:
            (root / "results" / "truth" / f"{sequence.name}.txt").write_text(source.read())
    return {"otb": generated_otb_folder, "first": sequences[0].name, "crops": crops, "got10k": got10k,
            "records": records, "features": shipped_shape_features, "walks": str(root / "walks"),
            "results": str(root / "results")}


def slow(path):
    return pytest.param(path, marks=pytest.mark.slow)


# each runnable subcommand -> its arguments, given the world and an empty output folder
RUNS = {
    ("benchmark",): lambda w, out: ["--data", w["otb"], "--trackers", "opencv-kcf", "--out", out, "--no-progress"],
    ("track",): lambda w, out: ["--source", os.path.join(w["otb"], w["first"], "img"), "--box", "30,30,20,20",
                                "--tracker", "opencv-kcf", "--out", out, "--quiet"],
    ("demo",): lambda w, out: ["--data", w["otb"], "--out", out],
    ("lookalike",): lambda w, out: ["--trackers", "opencv-kcf", "--count", 1, "--frames", 6, "--out", out,
                                    "--no-progress"],
    ("curate",): lambda w, out: ["--dataset", "got10k", "--root", w["got10k"], "--out", out, "--quiet",
                                 "--unroll", 2, "--max-length", 4, "--max-interval", 1, "--pairs-per-track", 6],
    ("make-pairs",): lambda w, out: ["--crops", w["crops"], "--out", out, "--pairs", 8],
    ("make-synthetic",): lambda w, out: ["--out", out, "--count", 1, "--frames", 3, "--height", 32, "--width", 40],
    ("make-crop-walk",): lambda w, out: ["--crops", w["crops"], "--out", out, "--folds", 2, "--max-frames", 4],
    ("mine-hard-pairs",): lambda w, out: ["--config", NONE_CONFIG, "--records", w["records"], "--out", out,
                                          "--shards", 1, "--no-progress"],
    ("train-extractor",): lambda w, out: ["--records", w["records"], "--out", out, "--steps", 2],
    ("cache-features",): lambda w, out: ["--config", UPDATER_CONFIG, "--sequences", w["records"], "--out", out],
    ("train-updater",): lambda w, out: ["--config", UPDATER_CONFIG, "--features", w["features"], "--out", out,
                                        "--steps", 2],
    ("evaluate-updater",): lambda w, out: ["--config", os.path.join(CONFIGS, "trackers", "siamfc-learned.yaml"),
                                           "--features", w["features"], "--hold-out", FEATURE_NAMES[0],
                                           "--out", os.path.join(out, "scores.json")],
    ("report",): lambda w, out: ["--results", w["results"], "--data", w["otb"], "--out", out],
    ("ablate",): lambda w, out: ["--features", w["features"], "--data", w["otb"], "--out", out, "--steps", 2,
                                 "--variants", "siamfc-learned-layers1", "--extra", "opencv-kcf"],
    ("export",): lambda w, out: ["--tracker", "siamfc-none", "--out", os.path.join(out, "my exports, v1")],
    ("search", "ema"): lambda w, out: ["--data", w["otb"], "--out", out, "--max-frames", 3],
    ("search", "updater"): lambda w, out: ["--features", w["features"], "--crop-walks", w["walks"], "--out", out,
                                           "--trials", 1, "--steps", 2, "--max-frames", 4, "--hidden", 16,
                                           "--unroll", 5],
    ("time", "frames"): lambda w, out: ["--trackers", "opencv-kcf", "--frames", 3],
    ("time", "backend"): lambda w, out: ["--out", out, "--repeats", 2],
    ("time", "meta-step"): lambda w, out: ["--config", os.path.join(ROOT, "configs", "updater_siamfc_half.yaml"),
                                           "--repeats", 1, "--set", "updater.learned.hidden=4",
                                           "--set", "meta.batch_size=2", "--set", "meta.unroll=2",
                                           "--json", os.path.join(out, "profile.json")],
    ("time", "step"): lambda w, out: ["--trackers", "siamfc-none", "--frames", 2, "--repeats", 1],
    ("time", "memory"): lambda w, out: ["--tracker", "opencv-kcf", "--frames", 3, "--loop-frames", 4],
    ("time", "pipeline"): lambda w, out: ["--pairs", w["records"], "--threads", 1, "--batches", 2,
                                          "--json", os.path.join(out, "rows.json")],
}
SLOW = {("ablate",), ("demo",), ("evaluate-updater",), ("search", "ema"), ("search", "updater"), ("time", "pipeline"),
        ("train-extractor",), ("train-updater",)}


# subcommands that serve until stopped run in a process of their own in the test named here
SERVED = {("app",): "tests/test_web_api.py::test_the_command_serves_on_localhost_and_removes_its_folder"}


def test_every_subcommand_has_a_run():
    assert set(command_paths()) == set(RUNS) | set(SERVED)


@pytest.mark.parametrize("path", [slow(p) if p in SLOW else p for p in sorted(RUNS)], ids=" ".join)
def test_the_subcommand_runs_with_its_defaults(path, world, tmp_path, capsys):
    out = tmp_path / "out"
    if path not in {("time", "frames"), ("time", "memory"), ("time", "step")}:
        out.mkdir()
    code = main([*path, *map(str, RUNS[path](world, str(out)))])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert stdout.strip(), f"tf-lu {' '.join(path)} printed nothing"
    if out.is_dir():
        assert os.listdir(out), f"tf-lu {' '.join(path)} wrote nothing into {out}"
    if path == ("export",):     # the printed command works when pasted into a shell: the path is quoted
        assert f"saved_model_cli show --dir {shlex.quote(str(out / 'my exports, v1'))} --all" in stdout
