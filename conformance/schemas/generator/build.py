"""Generate every schema file from the spec, the fixtures and the overlays, deterministically.

``generate`` computes the files in memory; ``write_files`` puts them on disk (sorted
keys, two-space indent, trailing newline) and removes stale ones, so the output
depends on the inputs only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from conformance.schemas.generator.inference import find_examples, infer_component
from conformance.schemas.generator.layout import Layout
from conformance.schemas.generator.openapi import component_refs, convert_component
from conformance.schemas.generator.patches import apply_patches
from conformance.schemas.generator.required import RequiredReport, apply_required
from conformance.schemas.generator.sources import (
    Overlays,
    load_fixtures,
    load_overlays,
    load_spec,
)
from conformance.schemas.jsonpath import json_path
from conformance.schemas.store import INDEX_FILE

__all__ = [
    "INDEX_FILE",
    "BuildError",
    "BuildReport",
    "Generated",
    "build_schemas",
    "generate",
    "render",
    "stale_files",
    "write_files",
]

LIST_SCHEMA = "list"
DRAFT_URI = "https://json-schema.org/draft/2020-12/schema"


class BuildError(ValueError):
    """The inputs cannot produce a complete schema set."""


@dataclass(frozen=True)
class Generated:
    """Every output file (relative path to JSON document) and what the build observed."""

    files: Mapping[str, Any]
    objects: tuple[str, ...]
    top_level: tuple[str, ...]
    definitions: int
    required: RequiredReport
    conflicts: tuple[str, ...]


@dataclass(frozen=True)
class BuildReport:
    """Summary of one ``schemas build`` run."""

    generated: Generated
    written: int
    unchanged: int
    removed: int


def build_schemas(spec: Path, fixtures: Path | None, overlays: Path, out: Path) -> BuildReport:
    """Generate the schemas from the given inputs and write them under ``out``."""
    generated = generate(load_spec(spec), load_fixtures(fixtures) if fixtures else None, load_overlays(overlays))
    written, unchanged, removed = write_files(generated.files, out)
    return BuildReport(generated, written, unchanged, removed)


def generate(spec: Mapping[str, Any], fixtures: Mapping[str, Any] | None, overlays: Overlays) -> Generated:
    """Compute every schema file from a loaded spec, fixtures (optional) and overlays."""
    spec_components: Mapping[str, Any] = spec["components"]["schemas"]
    components, sources = _components(spec_components, fixtures, overlays)
    patched, policies = apply_patches(components, overlays.patches)
    components.update(patched)

    names = [entry.name for entry in overlays.catalogue]
    deleted = [f"deleted_{name}" for name in names if f"deleted_{name}" in components]
    top_level = [*names, *(name for name in deleted if name not in names), LIST_SCHEMA]
    layout = Layout(overlays.id_base, frozenset(top_level))
    closure = _closure(components, top_level)

    versions = {entry.name: entry.api_version for entry in overlays.catalogue}
    documents: dict[str, dict[str, Any]] = {}
    for name in sorted(closure):
        body = layout.rewrite_refs(convert_component(components[name]), name)
        documents[name] = {
            "$schema": DRAFT_URI,
            "$id": layout.uri_of(name),
            "x-stripe-api-version": versions.get(name, overlays.api_version),
            "x-stripe-source": sources.get(name, "openapi"),
            **body,
        }

    examples = list(_examples(documents, fixtures, overlays))
    files_of = {name: layout.file_of(name) for name in documents}
    report = apply_required(documents, files_of, examples, policies)
    conflicts = tuple(_conflicts(documents, examples))

    files: dict[str, Any] = {layout.file_of(name): doc for name, doc in documents.items()}
    files[INDEX_FILE] = _index(overlays, names, top_level, documents, layout)
    return Generated(
        files=files,
        objects=tuple(names),
        top_level=tuple(top_level),
        definitions=len(documents) - len(top_level),
        required=report,
        conflicts=conflicts,
    )


def render(document: Any) -> str:
    """Serialise one output file exactly as it is written to disk."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_files(files: Mapping[str, Any], out: Path) -> tuple[int, int, int]:
    """Write ``files`` under ``out``, skip identical ones, delete stale ``*.json``.

    Returns the number of files written, left unchanged, and removed.
    """
    written = unchanged = removed = 0
    for relative, document in sorted(files.items()):
        target = out / relative
        text = render(document)
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written += 1
    expected = {out / relative for relative in files}
    for stale in sorted(out.rglob("*.json")):
        if stale not in expected:
            stale.unlink()
            removed += 1
    return written, unchanged, removed


def stale_files(files: Mapping[str, Any], out: Path) -> list[str]:
    """Return the paths under ``out`` that ``write_files`` would create, change or delete."""
    differing = [
        relative
        for relative, document in sorted(files.items())
        if not (out / relative).is_file() or (out / relative).read_text(encoding="utf-8") != render(document)
    ]
    extra = sorted(
        path.relative_to(out).as_posix()
        for path in out.rglob("*.json")
        if path.relative_to(out).as_posix() not in files
    )
    return differing + extra


def _components(
    spec_components: Mapping[str, Any], fixtures: Mapping[str, Any] | None, overlays: Overlays
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return the component table (spec plus overlay and inferred ones) and non-spec sources."""
    components: dict[str, Any] = dict(spec_components)
    sources: dict[str, str] = {}
    if LIST_SCHEMA not in overlays.components:
        raise BuildError("overlays define no 'list' component (the list envelope)")
    components[LIST_SCHEMA] = overlays.components[LIST_SCHEMA]
    sources[LIST_SCHEMA] = "overlay"
    known = {entry.name: entry.name for entry in overlays.catalogue}
    for entry in overlays.catalogue:
        overlay = overlays.components.get(entry.name)
        if entry.source == "openapi":
            if entry.name not in spec_components:
                raise BuildError(f"{entry.name}: not a component of the spec")
            continue
        sources[entry.name] = entry.source
        if entry.source == "overlay":
            if overlay is None:
                raise BuildError(f"{entry.name}: no overlay component {entry.name}.yaml")
            components[entry.name] = overlay
            continue
        if fixtures is None:
            raise BuildError(f"{entry.name} is inferred from fixtures: pass --fixtures")
        examples = find_examples(fixtures.values(), entry.name)
        inferred = infer_component(entry.name, examples, known)
        if overlay is not None:
            inferred = {
                **inferred,
                **{k: v for k, v in overlay.items() if k != "properties"},
                "properties": {**inferred["properties"], **overlay.get("properties", {})},
            }
        components[entry.name] = inferred
    return components, sources


def _closure(components: Mapping[str, Any], roots: list[str]) -> set[str]:
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        if name not in components:
            raise BuildError(f"reference to unknown component {name!r}")
        seen.add(name)
        stack.extend(component_refs(components[name]) - seen)
    return seen


def _examples(
    documents: Mapping[str, Any], fixtures: Mapping[str, Any] | None, overlays: Overlays
) -> Iterator[tuple[str, Any]]:
    """Yield ``(schema name, example)`` for every documented example we have a schema for.

    A fixture is an example of the schema of its own name; every object nested in any
    fixture is an example of the schema its ``object`` value (and ``deleted``) selects;
    the overlay examples name their schema.
    """
    by_object, deleted_by_object = _object_tables(documents)
    for name, example in sorted((fixtures or {}).items()):
        if name in documents:
            yield name, example
        for nested in find_examples([example], None):
            kind = nested["object"]
            table = deleted_by_object if nested.get("deleted") is True else by_object
            target = table.get(kind) if isinstance(kind, str) else None
            if target is not None and nested is not example:
                yield target, nested
    for name, items in sorted(overlays.examples.items()):
        if name not in documents:
            raise BuildError(f"examples.yaml: no schema named {name!r}")
        for item in items:
            yield name, item


def _object_tables(documents: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Map ``object`` values to the schema describing them (live, and deleted stubs)."""
    live: dict[str, str] = {}
    deleted: dict[str, str] = {}
    for name, document in sorted(documents.items()):
        properties = document.get("properties", {})
        values = [v for v in properties.get("object", {}).get("enum", ()) if v is not None]
        if len(values) != 1:
            continue
        table = deleted if properties.get("deleted", {}).get("enum") == [True] else live
        if name == values[0] or values[0] not in table:
            table[values[0]] = name
    return live, deleted


def _conflicts(documents: Mapping[str, Any], examples: list[tuple[str, Any]]) -> Iterator[str]:
    """Yield one line per way a documented example fails its own generated schema."""
    registry: Registry[Any] = Registry().with_resources(
        (document["$id"], DRAFT202012.create_resource(document)) for document in documents.values()
    )
    validators: dict[str, Draft202012Validator] = {}
    for name, example in examples:
        validator = validators.get(name)
        if validator is None:
            validator = validators[name] = Draft202012Validator(documents[name], registry=registry)
        for error in sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path)):
            yield f"{name}: {json_path(error.absolute_path)}: {error.message[:300]}"


def _index(
    overlays: Overlays,
    names: list[str],
    top_level: list[str],
    documents: Mapping[str, Any],
    layout: Layout,
) -> dict[str, Any]:
    """Describe the top-level schemas: file, ``object`` value, deleted variant or not."""
    envelopes = {entry.name: entry.envelope for entry in overlays.catalogue}
    schemas: dict[str, Any] = {}
    for name in top_level:
        document = documents[name]
        properties = document.get("properties", {})
        object_enum = [v for v in properties.get("object", {}).get("enum", ()) if v is not None]
        entry: dict[str, Any] = {
            "file": layout.file_of(name),
            "api_version": document["x-stripe-api-version"],
            "source": document["x-stripe-source"],
            "object": object_enum[0] if len(object_enum) == 1 else None,
            "deleted": properties.get("deleted", {}).get("enum") == [True],
        }
        if envelopes.get(name):
            entry["envelope"] = envelopes[name]
        schemas[name] = entry
    return {
        "$comment": "Generated by 'stripe-conformance schemas build'; do not edit.",
        "api_version": overlays.api_version,
        "id_base": overlays.id_base,
        "objects": names,
        "schemas": schemas,
    }
