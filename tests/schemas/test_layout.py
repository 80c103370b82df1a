"""Package layering and where the schema files are found."""

from __future__ import annotations

import ast
from pathlib import Path

import conformance
from conformance.schemas.location import schemas_root, stripe_schemas_dir

PACKAGE = Path(conformance.__file__).parent / "schemas"
FORBIDDEN = ("conformance.cli", "conformance.plugin", "conformance.suite", "conformance.reference")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_schemas_package_imports_no_outer_layer() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(name for name in _imports(path) if name.startswith(FORBIDDEN))
        for path in PACKAGE.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_public_api() -> None:
    import conformance.schemas as api

    assert sorted(api.__all__) == [
        "SchemaError",
        "SchemaRegistry",
        "UnknownObjectError",
        "default_registry",
    ]


def test_schemas_root_in_a_source_tree() -> None:
    packaged = Path(conformance.__file__).parent / "_schemas"
    expected = packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "schemas"
    assert schemas_root() == expected
    assert stripe_schemas_dir() == expected / "stripe"
    assert (stripe_schemas_dir() / "index.json").is_file()
