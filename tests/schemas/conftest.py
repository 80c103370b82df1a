"""Shared fixtures and helpers for the schema tests.

The reference files (Stripe's spec and fixtures) and the seeds are never copied into
the project: they are read from ``../shared/`` beside the repository, and the tests
that need them skip with the reason when it is absent.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.schemas import SchemaRegistry
from conformance.schemas.json_objects import json_objects
from conformance.schemas.shapes import Shapes

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
REFERENCE = SHARED / "reference"
SPEC = REFERENCE / "stripe-openapi-2023-08-16.yaml"
FIXTURES = REFERENCE / "stripe-fixtures-2026.json"
SEED_CARDS = SHARED / "seeds" / "004_c899a33b2b3ca412.txt"
OVERLAYS = REPO / "schemas" / "overlays"

STATS_KEY = pytest.StashKey[dict[str, int]]()

# Values that break a field's type: the first whose JSON type the field does not accept.
WRONG_VALUES: tuple[tuple[str, Any], ...] = (
    ("integer", 12345),
    ("string", "wrong-type"),
    ("boolean", True),
    ("array", ["wrong-type"]),
    ("object", {"wrong": "type"}),
)
UNKNOWN_ENUM_VALUE = "__not_a_documented_value__"


def pytest_configure(config: pytest.Config) -> None:
    config.stash[STATS_KEY] = {}


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    stats = config.stash.get(STATS_KEY, {})
    if stats:
        terminalreporter.section("schema counts")
        for key, value in sorted(stats.items()):
            terminalreporter.write_line(f"{key}: {value}")


@pytest.fixture
def record(request: pytest.FixtureRequest) -> Any:
    """Record a count shown in the terminal summary (``schema counts``)."""
    stats = request.config.stash[STATS_KEY]

    def _record(key: str, value: int) -> None:
        stats[key] = value

    return _record


def require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared reference material is not beside the repo")
    return path


@pytest.fixture(scope="session")
def registry() -> SchemaRegistry:
    return SchemaRegistry.load()


@pytest.fixture(scope="session")
def spec_path() -> Path:
    return require(SPEC)


@pytest.fixture(scope="session")
def fixtures_path() -> Path:
    return require(FIXTURES)


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    from conformance.schemas.generator.sources import load_spec

    return load_spec(require(SPEC))


@pytest.fixture(scope="session")
def stripe_fixtures() -> dict[str, Any]:
    from conformance.schemas.generator.sources import load_fixtures

    return load_fixtures(require(FIXTURES))


@pytest.fixture(scope="session")
def fixtures_if_present() -> dict[str, Any]:
    """Stripe's fixtures when the reference folder is present, else nothing."""
    from conformance.schemas.generator.sources import load_fixtures

    return load_fixtures(FIXTURES) if FIXTURES.is_file() else {}


@pytest.fixture(scope="session")
def generated(spec: dict[str, Any], stripe_fixtures: dict[str, Any]) -> Any:
    from conformance.schemas.generator import generate
    from conformance.schemas.generator.sources import load_overlays

    return generate(spec, stripe_fixtures, load_overlays(OVERLAYS))


@pytest.fixture(scope="session")
def seed_cards() -> list[dict[str, Any]]:
    """Every card object (full or deleted) shown in seed 004."""
    text = require(SEED_CARDS).read_text(encoding="utf-8")
    return list(objects_in_text(text, {"card"}))


def objects_in_text(text: str, kinds: set[str]) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of the given ``object`` kinds found in a documentation page.

    Markdown fences and ``...`` elision lines are dropped first, so an example split
    across code blocks is read whole.
    """
    kept = "\n".join(line for line in text.splitlines() if line.strip() not in ("```", "..."))
    decoder = json.JSONDecoder()
    index = kept.find("{")
    while index >= 0:
        try:
            value, end = decoder.raw_decode(kept, index)
        except ValueError:
            index = kept.find("{", index + 1)
            continue
        if isinstance(value, dict) and value.get("object") in kinds:
            yield value
            index = kept.find("{", end)
        else:
            index = kept.find("{", index + 1)


def nested_objects(document: Any) -> Iterator[dict[str, Any]]:
    """Yield every JSON object inside ``document`` (the document itself excluded)."""
    return (item for item in json_objects(document) if item is not document)


# --- synthesized valid bodies for schemas without a documented example ----------------


def synthesize(registry: SchemaRegistry, name: str) -> Any:
    """Build a body valid under the top-level schema ``name``: every field at the top level,
    required fields below it."""
    file = registry._store.entries[name].file
    return _synth(registry, registry.schema(name), file, depth=0)


def follow(registry: SchemaRegistry, schema: Mapping[str, Any], file: str) -> tuple[Mapping[str, Any], str]:
    """Follow ``$ref`` (relative file references) from ``schema`` in ``file`` to a schema body."""
    while "$ref" in schema:
        file = posixpath.normpath(posixpath.join(posixpath.dirname(file), schema["$ref"]))
        schema = registry._store.document(file)
    return schema, file


def _synth(registry: SchemaRegistry, schema: Mapping[str, Any], file: str, depth: int) -> Any:
    schema, file = follow(registry, schema, file)
    if "enum" in schema:
        return next(value for value in schema["enum"] if value is not None)
    if "anyOf" in schema:
        branches = schema["anyOf"]
        simple = [b for b in branches if b.get("type") not in (None, "null") and "$ref" not in b]
        return _synth(registry, simple[0] if simple else branches[0], file, depth)
    types = schema.get("type", "object")
    kind = next((t for t in ([types] if isinstance(types, str) else types) if t != "null"), "null")
    if kind == "object":
        properties = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return {
            key: _synth(registry, sub, file, depth + 1)
            for key, sub in properties.items()
            if key in required or depth == 0
        }
    return {"string": "x", "integer": 1, "number": 1.5, "boolean": True, "array": [], "null": None}[kind]


# --- negative cases --------------------------------------------------------------------


@dataclass(frozen=True)
class NegativeCase:
    """A valid body with one documented constraint broken."""

    schema: str
    kind: str  # "missing-required" | "wrong-type" | "unknown-enum"
    path: tuple[str | int, ...]
    body: Any

    def __str__(self) -> str:
        return f"{self.schema} {self.kind} at {'/'.join(map(str, self.path)) or '$'}"


def negative_cases(registry: SchemaRegistry, name: str, base: Any) -> Iterator[NegativeCase]:
    """Yield one broken copy of ``base`` per required field, typed field and enum field of
    every object schema the body holds (nested objects included)."""
    shapes = Shapes(registry._store.all_documents())
    for visit in shapes.visits(base, registry._store.entries[name].file):
        where = visit.instance_path
        properties = visit.schema.get("properties", {})
        for key in visit.schema.get("required", ()):
            if key in visit.instance:
                yield NegativeCase(name, "missing-required", (*where, key), _without(base, where, key))
        for key, sub in properties.items():
            if key not in visit.instance:
                continue
            accepted = accepted_types(registry, sub, visit.file)
            if accepted is not None:
                wrong = next((v for t, v in WRONG_VALUES if not _accepts(accepted, t)), None)
                if wrong is not None:
                    yield NegativeCase(name, "wrong-type", (*where, key), _with(base, where, key, wrong))
            target, _ = follow(registry, sub, visit.file)
            if "enum" in target and key != "deleted":
                yield NegativeCase(name, "unknown-enum", (*where, key), _with(base, where, key, UNKNOWN_ENUM_VALUE))


def accepted_types(registry: SchemaRegistry, schema: Mapping[str, Any], file: str) -> set[str] | None:
    """Return the JSON types a schema accepts, or ``None`` when it accepts any type."""
    schema, file = follow(registry, schema, file)
    if "anyOf" in schema:
        types: set[str] = set()
        for branch in schema["anyOf"]:
            sub = accepted_types(registry, branch, file)
            if sub is None:
                return None
            types |= sub
        return types
    declared = schema.get("type")
    if declared is None:
        if "properties" in schema or "additionalProperties" in schema:
            return {"object"}
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _accepts(types: set[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _copy_to(base: Any, where: tuple[str | int, ...]) -> tuple[Any, Any]:
    root = json.loads(json.dumps(base))
    node = root
    for step in where:
        node = node[step]
    return root, node


def _without(base: Any, where: tuple[str | int, ...], key: str) -> Any:
    root, node = _copy_to(base, where)
    del node[key]
    return root


def _with(base: Any, where: tuple[str | int, ...], key: str, value: Any) -> Any:
    root, node = _copy_to(base, where)
    node[key] = value
    return root


# --- the helpers, as fixtures (test modules do not import conftest) --------------------


@pytest.fixture(scope="session")
def helpers() -> Any:
    """The helper functions above, for test modules."""

    class Helpers:
        objects_in_text = staticmethod(objects_in_text)
        nested_objects = staticmethod(nested_objects)
        synthesize = staticmethod(synthesize)
        negative_cases = staticmethod(negative_cases)
        accepted_types = staticmethod(accepted_types)

    return Helpers
