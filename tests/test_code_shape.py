"""The package's shape: imports go one way (no cycles, lazy imports included), small modules, short functions."""
import ast
import os

import pytest

PACKAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tf_lu")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Package layers, lowest first: a module may import only from its own layer or from lower ones.
LAYERS = [
    {"tf_lu", "tf_lu.errors", "tf_lu.paper", "tf_lu.resources", "tf_lu.config", "tf_lu.atomic_files"},
    {"tf_lu.geometry"}, {"tf_lu.models"}, {"tf_lu.updaters"}, {"tf_lu.data"}, {"tf_lu.tracking"},
    {"tf_lu.evaluation", "tf_lu.training", "tf_lu.timing"}, {"tf_lu.apps", "tf_lu.export"},
    {"tf_lu.cli", "tf_lu.__main__"},
]


def _modules():
    modules = {}
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                rel = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].replace(os.sep, ".")
                modules[rel[:-len(".__init__")] if rel.endswith(".__init__") else rel] = path
    return modules


def _imports(path, module, known):
    """Every tf_lu module imported anywhere in the file (top level or inside functions)."""
    tree = ast.parse(open(path, encoding="utf-8").read())
    package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def import_graph():
    modules = _modules()
    return {module: _imports(path, module, modules) for module, path in modules.items()}


def find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return stack[stack.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def _layer(module):
    for index, layer in enumerate(LAYERS):
        for prefix in sorted(layer, key=len, reverse=True):
            if module == prefix or (prefix != "tf_lu" and module.startswith(prefix + ".")):
                return index
    raise AssertionError(f"{module} is in no layer of LAYERS")


def test_find_cycle_finds_a_cycle_and_accepts_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles():
    assert find_cycle(import_graph()) is None


def test_imports_go_down_the_layers():
    wrong = [f"{module} -> {target}" for module, targets in import_graph().items() for target in targets
             if _layer(target) > _layer(module)]
    assert not wrong, "imports against the layer order:\n" + "\n".join(sorted(wrong))


def test_modules_are_small():
    long = {module: n for module, path in _modules().items()
            if (n := len(open(path, encoding="utf-8").read().splitlines())) > MAX_MODULE_LINES}
    assert not long


def long_functions(limit=MAX_FUNCTION_LINES):
    found = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > limit:
                    found.append(f"{module}.{node.name}: {length} lines")
    return found


def test_functions_are_short():
    assert not long_functions()


@pytest.mark.parametrize("forbidden", ["sys.path.insert", "sys.path.append"])
def test_no_sys_path_edits(forbidden):
    root = os.path.dirname(PACKAGE)
    offenders = []
    for folder in ("tf_lu", "tools", "tests"):
        for base, _, files in os.walk(os.path.join(root, folder)):
            offenders += [os.path.join(base, f) for f in files if f.endswith(".py") and f != "test_code_shape.py"
                          and forbidden in open(os.path.join(base, f), encoding="utf-8").read()]
    assert not offenders
