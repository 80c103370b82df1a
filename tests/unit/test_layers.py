"""The import rules of the Architecture section, checked on the source."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "conformance"
CORE = ["http", "requirements", "checks", "targets", "reporting", "expectations", "schemas", "recording", "selection"]
FRONT_ENDS_AND_SCENARIOS = ("conformance.plugin", "conformance.cli", "conformance.suite", "conformance.fuzz")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


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


def test_no_grab_bag_modules():
    assert not [p for p in PACKAGE.rglob("utils.py")]
