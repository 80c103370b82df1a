"""The import rules of the Architecture section, checked on the source (absolute and relative imports)."""

import ast
import importlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
CORE = [
    "http", "requirements", "checks", "targets", "reporting", "expectations", "schemas", "recording", "selection",
    "settings",
]
FRONT_ENDS_AND_SCENARIOS = ("conformance.plugin", "conformance.cli", "conformance.suite", "conformance.fuzz")
PACKAGES = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ``import from`` names, relative ones resolved against ``path``'s package."""
    if node.level == 0:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """Every module ``path`` imports; with ``top_level_only``, those run on import (not in functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = _top_level(tree.body) if top_level_only else _all_but_type_checking(tree)
    names: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # ``from pkg import submodule``
    return names


def _all_but_type_checking(tree: ast.AST) -> list[ast.AST]:
    hidden = {id(n) for node in ast.walk(tree) if _type_checking(node) for n in ast.walk(node)}
    return [node for node in ast.walk(tree) if id(node) not in hidden]


def _type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _top_level(body: list[ast.stmt]) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for node in body:
        if _type_checking(node):
            continue
        if isinstance(node, ast.If | ast.Try):
            found += _top_level([*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", [])])
        else:
            found.append(node)
    return found


def _modules(subpackage: str) -> list[Path]:
    return sorted((PACKAGE / subpackage).rglob("*.py"))


@pytest.mark.parametrize("subpackage", CORE)
def test_core_never_imports_front_ends_scenarios_or_reference(subpackage):
    for path in _modules(subpackage):
        bad = {
            name for name in _imports(path)
            if name.startswith((*FRONT_ENDS_AND_SCENARIOS, "conformance.reference"))
        }
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_reference_server_imports_nothing_of_the_suite():
    for path in _modules("reference"):
        bad = {n for n in _imports(path) if n.startswith("conformance") and not n.startswith("conformance.reference")}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


def test_relative_imports_are_seen(tmp_path):
    module = PACKAGE / "reference" / "server.py"
    assert any(n.startswith("conformance.reference.") for n in _imports(module)), "relative imports not resolved"
    node = ast.parse("from ..http import client").body[0]
    assert isinstance(node, ast.ImportFrom)
    assert _absolute(PACKAGE / "reference" / "app.py", node) == "conformance.http"  # would break the rule above


@pytest.mark.parametrize("lazy_too", [False, True], ids=["on-import", "lazy-imports-too"])
def test_no_import_cycles_among_modules(lazy_too):
    """Modules import each other in one direction, also counting lazy imports inside functions."""
    paths = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {name: {m for m in _imports(path, top_level_only=lazy_too is False) if m in paths and m != name}
             for name, path in paths.items()}
    # A package's __init__ re-exporting its own submodules is how packages are built, not a cycle.
    for name in graph:
        graph[name] = {m for m in graph[name] if not (paths[name].name == "__init__.py" and m.startswith(name + "."))}
    cycle = _find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_declares_what_it_exports(package):
    module = importlib.import_module(f"conformance.{package}")
    exported = module.__dict__.get("__all__")
    assert isinstance(exported, list), f"conformance.{package} has no __all__"
    assert len(exported) == len(set(exported))
    missing = [name for name in exported if not hasattr(module, name)]
    assert not missing, f"conformance.{package}.__all__ names what it lacks: {missing}"


def test_no_grab_bag_modules():
    assert not [p for p in PACKAGE.rglob("utils.py")]
