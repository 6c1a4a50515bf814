"""The package as a user installs it: every subpackage and the shipped configs and weights are in it, and the
installed ``tf-lu`` command runs from a folder outside the checkout."""
import json
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from conftest import ROOT

SHIPPED = {"tf_lu.configs": "configs", "tf_lu.saved_models": "saved_models"}
PAGE_FILES = ("index.html", "app.js", "results.js", "style.css")   # tf_lu/web/static/: the page of `tf-lu app`
SOURCES = ("pyproject.toml", "setup.py", "README.md", "tf_lu", "configs", "saved_models")


def project():
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)


def source_packages():
    """Every folder of the source tree with an ``__init__.py``, as a dotted package name."""
    found = set()
    for folder, _, files in os.walk(os.path.join(ROOT, "tf_lu")):
        if "__init__.py" in files:
            found.add(os.path.relpath(folder, ROOT).replace(os.sep, "."))
    return found


def test_the_shipped_files_and_the_command_are_declared():
    setuptools = project()["tool"]["setuptools"]
    assert setuptools["package-dir"] == SHIPPED
    assert set(setuptools["package-data"]) == set(SHIPPED) | {"tf_lu.web"}
    assert project()["project"]["scripts"] == {"tf-lu": "tf_lu.cli.main:main"}


def test_dependencies_are_the_pinned_runtime_requirements():
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        lines = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
    assert lines[-1] == "-e ."
    dependencies = project()["project"]["dependencies"]
    assert dependencies and all("==" in d for d in dependencies)
    assert set(dependencies) <= set(lines)


def copy_checkout(target):
    """The files a clone of the checkout builds from (build output then stays out of the checkout)."""
    for name in SOURCES:
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(target, name), ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target)
    return target


@pytest.mark.slow
def test_installed_command_runs_from_another_folder(tmp_path, generated_otb_folder):
    """``pip install`` of the checkout into a folder of its own; the installed command, run from an unrelated
    folder, imports tf_lu from there and finds the shipped tracker configs and weights inside the package."""
    source, site, elsewhere = (tmp_path / name for name in ("source", "site", "elsewhere"))
    source.mkdir(), elsewhere.mkdir()
    copy_checkout(str(source))
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                              str(source)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    missing = [p for p in source_packages() if not os.path.isfile(site / p.replace(".", "/") / "__init__.py")]
    assert not missing, f"subpackages left out of the installed package: {missing}"
    for name, folder in SHIPPED.items():
        shipped = {os.path.relpath(os.path.join(base, f), os.path.join(ROOT, folder))
                   for base, _, files in os.walk(os.path.join(ROOT, folder)) for f in files}
        installed = {os.path.relpath(os.path.join(base, f), site / name.replace(".", "/"))
                     for base, _, files in os.walk(site / name.replace(".", "/")) for f in files}
        assert shipped <= installed, f"{folder}/ files left out: {sorted(shipped - installed)}"
    page = [name for name in PAGE_FILES if not os.path.isfile(site / "tf_lu" / "web" / "static" / name)]
    assert not page, f"page files of tf-lu app left out: {page}"
    env = {**os.environ, "PYTHONPATH": str(site)}

    def run(*command):
        return subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=elsewhere, env=env)

    where = run(sys.executable, "-c", "import tf_lu, tf_lu.resources as r; print(tf_lu.__file__); "
                                      "print(r.shipped_dir('configs'))")
    assert where.stdout.split() == [str(site / "tf_lu" / "__init__.py"), str(site / "tf_lu" / "configs")]
    command = str(site / "bin" / "tf-lu")
    assert run(command, "--help").returncode == 0
    out = tmp_path / "bench"
    result = run(command, "benchmark", "--data", generated_otb_folder, "--trackers", "siamfc-none", "--out", str(out),
                 "--no-progress")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["trackers"]) == ["siamfc-none"] and summary["trackers"]["siamfc-none"]["frames"] == 16
    assert os.listdir(elsewhere) == []
