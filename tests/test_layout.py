"""The README's layout tables match the tree: what they name exists, and every subpackage of tf_lu is named."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = os.path.join(ROOT, "tf_lu")
FIRST_CELL = re.compile(r"^\|\s*`([^`]+)`\s*\|")


def layout_paths(readme_text):
    """The paths in the first column of the tables under the README's '## Layout' heading."""
    match = re.search(r"^## Layout\s*$(.*?)(?=^## |\Z)", readme_text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Layout' section"
    return [found.group(1) for line in match.group(1).splitlines() if (found := FIRST_CELL.match(line.strip()))]


def subpackages(package_dir):
    """Folders directly under ``package_dir`` that hold an ``__init__.py``, as ``tf_lu/<name>/``."""
    return {f"tf_lu/{name}/" for name in os.listdir(package_dir)
            if os.path.isfile(os.path.join(package_dir, name, "__init__.py"))}


def readme_paths():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as handle:
        return layout_paths(handle.read())


def test_layout_section_is_found_and_parsed():
    text = "# x\n\n## Layout\n\n| path | what |\n|---|---|\n| `tf_lu/a/` | A |\n| `b.py` | B |\n\n## Next\n| `c/` | C |\n"
    assert layout_paths(text) == ["tf_lu/a/", "b.py"]


def test_every_named_path_exists():
    paths = readme_paths()
    assert "tf_lu/" in paths
    missing = [path for path in paths if not os.path.exists(os.path.join(ROOT, path))]
    assert not missing, f"README layout names paths that do not exist: {missing}"


def test_named_folders_are_folders_and_named_modules_are_files():
    wrong = [path for path in readme_paths()
             if (path.endswith("/") and not os.path.isdir(os.path.join(ROOT, path)))
             or (path.endswith(".py") and not os.path.isfile(os.path.join(ROOT, path)))]
    assert not wrong, f"README layout: wrong kind of path: {wrong}"


def test_top_level_folders_are_named():
    named = set(readme_paths())
    for folder in ("tf_lu/", "configs/", "saved_models/", "tools/", "tests/", "docs/"):
        assert folder in named, f"README layout does not name {folder}"


def test_every_subpackage_is_named():
    unnamed = sorted(subpackages(PACKAGE) - set(readme_paths()))
    assert not unnamed, f"subpackages missing from the README layout table: {unnamed}"


def test_top_level_modules_named_exist_as_modules():
    named = [path for path in readme_paths() if path.startswith("tf_lu/") and path.endswith(".py")]
    assert {"tf_lu/errors.py", "tf_lu/paper.py", "tf_lu/config.py", "tf_lu/resources.py"} <= set(named)
    for path in named:
        assert path.count("/") == 1, f"{path}: the table names top-level modules only"


def test_subpackage_check_can_fail(tmp_path):
    (tmp_path / "known").mkdir()
    (tmp_path / "known" / "__init__.py").write_text("")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "__init__.py").write_text("")
    (tmp_path / "not_a_package").mkdir()
    assert subpackages(str(tmp_path)) - {"tf_lu/known/"} == {"tf_lu/new/"}
