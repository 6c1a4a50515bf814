"""The ``tf-lu`` command: every subcommand's help, the one error boundary, the tools/ shims, and commands whose work
is stubbed out (ablate, search ema) so that only the command's own handling is tested."""
import ast
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT
from tf_lu.cli import benchmark as benchmark_command
from tf_lu.cli.main import COMMANDS, build_parser, main
from tf_lu.errors import TfLuError


def run_cli(capsys, *args):
    """``tf-lu ARGS`` in-process: ``(exit status, stdout, stderr)``."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code, err, *fragments):
    """Exit status 2 and exactly one stderr line ``error: ...`` holding every fragment."""
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def command_paths(parser=None, prefix=()):
    """Every runnable subcommand as a tuple of words, e.g. ``("time", "frames")``."""
    parser = parser or build_parser()
    paths = []
    for action in parser._subparsers._group_actions if parser._subparsers else ():
        for name, sub in action.choices.items():
            if sub.get_default("run"):
                paths.append(prefix + (name,))
            else:
                paths += command_paths(sub, prefix + (name,))
    return paths


# the subcommands that stand for the scripts of tools/ (each script is now a shim of one)
TOOL_COMMANDS = {("benchmark",), ("track",), ("demo",), ("curate",), ("make-pairs",), ("make-synthetic",),
                 ("make-crop-walk",), ("train-extractor",), ("cache-features",), ("train-updater",),
                 ("evaluate-updater",), ("report",), ("ablate",), ("search", "ema"), ("time", "frames"),
                 ("time", "backend")}


def test_the_command_has_every_subcommand():
    assert TOOL_COMMANDS <= set(command_paths())


@pytest.mark.parametrize("path", sorted(command_paths()))
def test_help_of_every_subcommand(capsys, path):
    code, out, _ = run_cli(capsys, *path, "--help")
    assert code == 0
    assert out.startswith(f"usage: tf-lu {' '.join(path)} ")
    assert "--" in out


def test_top_level_help_lists_the_commands(capsys):
    code, out, _ = run_cli(capsys, "--help")
    assert code == 0 and out.startswith("usage: tf-lu ")
    for name in COMMANDS:
        assert f"    {name}" in out


def test_usage_errors_exit_2(capsys):
    code, _, err = run_cli(capsys, "benchmark", "--data", "x")                       # --trackers, --out missing
    assert code == 2 and "required" in err
    code, _, err = run_cli(capsys, "time")                                           # a group needs a subcommand
    assert code == 2 and "COMMAND" in err
    code, _, err = run_cli(capsys, "no-such-command")
    assert code == 2 and "invalid choice" in err


def test_a_user_error_is_one_line_on_stderr(capsys, monkeypatch):
    def fail(args):
        raise TfLuError("bad  thing:\n  second line")

    monkeypatch.setattr(benchmark_command, "run", fail)
    code, out, err = run_cli(capsys, "benchmark", "--data", "d", "--trackers", "t", "--out", "o")
    assert (code, out, err) == (2, "", "error: bad thing: second line\n")


def test_an_interrupt_exits_130(capsys, monkeypatch):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(benchmark_command, "run", interrupted)
    code, _, err = run_cli(capsys, "benchmark", "--data", "d", "--trackers", "t", "--out", "o")
    assert code == 130 and err == "error: interrupted\n"


def test_other_exceptions_are_not_swallowed(monkeypatch):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(benchmark_command, "run", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["benchmark", "--data", "d", "--trackers", "t", "--out", "o"])


def python_m_tf_lu(*args, cwd):
    return subprocess.run([sys.executable, "-m", "tf_lu", *map(str, args)], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_python_m_tf_lu_reports_a_user_error_in_one_line(tmp_path):
    result = python_m_tf_lu("benchmark", "--data", tmp_path / "absent", "--trackers", "opencv-kcf", "--out",
                            tmp_path / "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert_user_error(result.returncode, result.stderr, "data folder not found")


def test_python_m_tf_lu_unknown_tracker_lists_the_known_ones(generated_otb_folder, tmp_path):
    result = python_m_tf_lu("benchmark", "--data", generated_otb_folder, "--trackers", "nope", "--out",
                            tmp_path / "out", cwd=tmp_path)
    assert "Traceback" not in result.stderr
    assert_user_error(result.returncode, result.stderr, "unknown tracker 'nope'", "siamfc-none", "opencv-kcf")
    assert not (tmp_path / "out").exists()


def test_help_imports_no_tensorflow_and_quietens_its_log():
    """``tf-lu --help`` (and every subcommand's) stays light; TF's C++ log level is set before any command runs."""
    script = ("import os, sys\n"
              "from tf_lu.cli.main import main\n"
              f"for path in {sorted(command_paths())!r} + [()]:\n"
              "    assert main([*path, '--help']) == 0\n"
              "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'heavy import'\n"
              "assert os.environ['TF_CPP_MIN_LOG_LEVEL'] == '2'\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr


def test_argument_errors_come_before_tensorflow_is_imported(tmp_path, generated_otb_folder):
    """Ranges, output paths, option pairs, boxes, tracker names and configs are checked without importing TensorFlow
    (so the error line comes at once)."""
    ema = os.path.join(ROOT, "configs", "trackers", "siamfc-ema.yaml")
    first = sorted(os.listdir(generated_otb_folder))[0]
    cases = [["make-synthetic", "--out", "o", "--seed", "-1"],
             ["track", "--source", os.path.join(generated_otb_folder, first, "img"), "--box", "1,2,3", "--tracker",
              "opencv-kcf", "--out", "o"],
             ["track", "--source", ".", "--box", "1,2,3,4", "--tracker", "nope", "--out", "o"],
             ["train-updater", "--config", ema, "--features", ".", "--out", "o"],
             ["time", "pipeline", "--threads", "0"],
             ["time", "memory", "--tracker", "opencv-kcf", "--set", "updater.alpha=0.5"],
             ["export", "--tracker", "siamfc-none", "--out", "o", "--sequences", "a"],
             ["evaluate-updater", "--config", ema, "--features", ".", "--out", str(tmp_path)],
             ["make-crop-walk", "--crops", generated_otb_folder, "--out", "o", "--folds", "5"],
             ["lookalike", "--trackers", "siamfc-none,nope"]]
    script = ("import sys\n"
              "from tf_lu.cli.main import main\n"
              f"for argv in {cases!r}:\n"
              "    assert main(argv) == 2, argv\n"
              "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'heavy import'\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == len(cases) and all(line.startswith("error: ") for line in lines), result.stderr
    assert os.listdir(tmp_path) == []


def shim_command(path):
    """The words a tools/ shim puts before its arguments: ``main(["time", "frames", *sys.argv[1:]])``."""
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "main":
            return tuple(e.value for e in node.args[0].elts if isinstance(e, ast.Constant))
    raise AssertionError(f"{path} does not call main")


def test_every_tool_is_a_shim_of_a_subcommand():
    tools = sorted(n for n in os.listdir(os.path.join(ROOT, "tools")) if n.endswith(".py"))
    assert tools and "_bootstrap.py" not in tools
    commands = {name: shim_command(os.path.join(ROOT, "tools", name)) for name in tools}
    assert set(commands.values()) == TOOL_COMMANDS
    for name in tools:
        assert len(open(os.path.join(ROOT, "tools", name), encoding="utf-8").read().splitlines()) <= 8


def test_a_shim_runs_its_subcommand(tmp_path):
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "time_frames.py"), "--help"],
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("usage: tf-lu time frames"), result.stderr


# ---------------------------------------------------------------------------------- commands with stubbed-out work

def test_ablate_trains_each_variant_into_its_folder_and_benchmarks_it_there(capsys, monkeypatch, tmp_path,
                                                                            generated_otb_folder):
    from tf_lu.apps import ablate
    trained, built = [], {}

    def fake_train(config, network, features, out):
        trained.append((config.updater.learned.hidden, out))
        return {"steps": config.meta.steps, "history": {"loss": [0.5]}}

    def fake_build(name, overrides=None):
        from tf_lu.tracking.peers import OpenCVTracker
        built[name] = overrides
        return OpenCVTracker("kcf")

    monkeypatch.setattr(ablate, "train_updater", lambda config, network, features, out, verbose: fake_train(
        config, network, features, out))
    monkeypatch.setattr(ablate, "load_network", lambda config: None)
    monkeypatch.setattr(ablate, "build_tracker", fake_build)
    out = tmp_path / "abl"
    (tmp_path / "feat").mkdir()
    code, stdout, err = run_cli(capsys, "ablate", "--features", tmp_path / "feat", "--data", generated_otb_folder,
                                "--out", out, "--steps", 7, "--variants", "siamfc-learned-hidden128",
                                "--extra", "opencv-kcf")
    assert code == 0, err
    assert trained == [(128, str(out / "hidden128"))]
    assert built == {"opencv-kcf": None, "siamfc-learned-hidden128": {
        "updater": {"learned": {"weights": str(out / "hidden128" / "updater.weights.h5")}}}}
    assert "| siamfc-learned-hidden128 |" in stdout and "| 7 |" in stdout
    assert (out / "ablations.md").read_text().strip() == stdout.strip()

    code, _, err = run_cli(capsys, "ablate", "--features", tmp_path, "--data", tmp_path, "--out", out,
                           "--variants", "nope")
    assert_user_error(code, err, "unknown ablation variant(s): nope")


def test_search_ema_defaults_to_the_shipped_config_and_writes_its_record(capsys, monkeypatch, tmp_path,
                                                                         generated_otb_folder):
    from tf_lu.apps import search_ema
    seen = {}

    def fake_search(config, sequences, directory, alphas=None):
        seen.update(kind=config.updater.kind, frames=[len(s) for s in sequences], directory=directory)
        return 0.02, {0.01: 0.5, 0.02: 0.625}

    monkeypatch.setattr(search_ema, "search_ema_alpha", fake_search)
    out = tmp_path / "search"
    out.mkdir()
    code, stdout, err = run_cli(capsys, "search", "ema", "--data", generated_otb_folder, "--out", out,
                                "--max-frames", 3)
    assert code == 0, err
    assert seen == {"kind": "ema", "frames": [3, 3], "directory": str(out)}
    assert stdout.splitlines() == ["alpha 0.01: AUC 0.5000", "alpha 0.02: AUC 0.6250", "best alpha: 0.02"]
    record = json.loads((out / "ema_search.json").read_text())
    assert record == {"data": os.path.basename(generated_otb_folder), "best": 0.02,
                      "auc": {"0.01": 0.5, "0.02": 0.625}}
    assert (out / "ema_search.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("args, fragment", [
    (("evaluate-updater", "--config", os.path.join(ROOT, "configs", "updater_siamfc_half.yaml"), "--features", "f"),
     "names no updater weights"),
    (("time", "backend"), "give --out (or --compare)"),
    (("time", "backend", "--compare", "one.npz"), "two existing .npz files"),
    (("time", "backend", "--random", "wide", "--out", "o"), "--random takes WIDTH,HIDDEN"),
])
def test_commands_check_their_options(capsys, monkeypatch, tmp_path, args, fragment):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, *args)
    assert_user_error(code, err, fragment)
    assert os.listdir(tmp_path) == []


def test_report_regenerates_a_benchmark_and_merges_runs(capsys, tmp_path, generated_otb_folder):
    """Two runs (a tracker per sequence) reported as one tracker over both sequences, then a plain report."""
    names = sorted(os.listdir(generated_otb_folder))
    runs = []
    for name, tracker in zip(names, ("opencv-kcf", "opencv-mosse")):
        runs.append(tmp_path / tracker)
        code, _, err = run_cli(capsys, "benchmark", "--data", generated_otb_folder, "--sequences", name,
                               "--trackers", tracker, "--out", runs[-1], "--no-progress")
        assert code == 0, err
    merged = tmp_path / "merged"
    code, out, err = run_cli(capsys, "report", "--results", ",".join(str(r / "results") for r in runs),
                             "--data", generated_otb_folder, "--out", merged, "--merge", "peer=opencv-kcf,opencv-mosse")
    assert code == 0, err
    summary = json.loads((merged / "summary.json").read_text())
    assert list(summary["trackers"]) == ["peer"] and sorted(summary["trackers"]["peer"]["sequences"]) == names
    assert "| peer |" in out
    code, _, err = run_cli(capsys, "report", "--results", runs[0] / "results", "--data", generated_otb_folder,
                           "--out", tmp_path / "again")
    assert_user_error(code, err, names[1])                  # opencv-kcf has no result for the second sequence
