"""The generator: conversion rules, inference, patches, required lists, determinism."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.schemas.generator import generate, render, stale_files
from conformance.schemas.generator.inference import infer_component
from conformance.schemas.generator.openapi import convert_component
from conformance.schemas.generator.patches import PatchError, apply_patches
from conformance.schemas.generator.sources import load_overlays
from conformance.schemas.location import stripe_schemas_dir

REF = "#/components/schemas/"


# --- conversion --------------------------------------------------------------------------


def test_conversion_drops_documentation_and_keeps_constraints() -> None:
    node = {
        "description": "d",
        "title": "T",
        "type": "object",
        "x-expandableFields": [],
        "properties": {
            "name": {"type": "string", "maxLength": 5000, "nullable": True, "description": "n"},
            "status": {"type": "string", "enum": ["a", "b"], "nullable": True},
            "created": {"type": "integer", "format": "unix-time"},
        },
        "required": ["status", "created"],
    }
    assert convert_component(node) == {
        "type": "object",
        "properties": {
            "name": {"type": ["string", "null"]},
            "status": {"type": ["string", "null"], "enum": ["a", "b", None]},
            "created": {"type": "integer"},
        },
        "required": ["created", "status"],
    }


def test_expandable_and_nullable_references() -> None:
    expandable = {
        "anyOf": [{"type": "string", "maxLength": 5000}, {"$ref": REF + "customer"}],
        "nullable": True,
        "x-expansionResources": {"oneOf": [{"$ref": REF + "customer"}]},
    }
    assert convert_component(expandable) == {
        "anyOf": [{"type": "string"}, {"$ref": REF + "customer"}, {"type": "null"}]
    }
    nullable_ref = {"anyOf": [{"$ref": REF + "address"}], "nullable": True}
    assert convert_component(nullable_ref) == {"anyOf": [{"$ref": REF + "address"}, {"type": "null"}]}
    assert convert_component({"anyOf": [{"$ref": REF + "address"}]}) == {"$ref": REF + "address"}


def test_conversion_rejects_unknown_keywords() -> None:
    with pytest.raises(ValueError, match="allOf"):
        convert_component({"allOf": []})


# --- inference ---------------------------------------------------------------------------


def test_inference_claims_only_what_examples_show() -> None:
    examples = [
        {"object": "thing", "id": "t_1", "n": 1, "note": None, "tags": [], "child": {"object": "other"}},
        {"object": "thing", "id": "t_2", "n": 1.5, "note": "x", "tags": ["a"], "extra": True},
    ]
    inferred = infer_component("thing", examples, {"other": "other"})
    assert inferred["properties"] == {
        "object": {"type": "string", "enum": ["thing"]},
        "id": {"type": "string"},
        "n": {"type": "number"},
        "note": {"type": "string", "nullable": True},
        "tags": {"type": "array", "items": {"type": "string"}},
        "child": {"$ref": REF + "other"},
        "extra": {"type": "boolean"},
    }
    assert "required" not in inferred


# --- patches -----------------------------------------------------------------------------


def test_patches_apply_and_require_reasons() -> None:
    components = {
        "x": {
            "type": "object",
            "properties": {
                "s": {"type": "string", "enum": ["a"]},
                "o": {"$ref": REF + "y"},
                "l": {"type": "array", "items": {"type": "string", "enum": ["p"]}},
            },
        }
    }
    patched, policies = apply_patches(
        components,
        [
            {"component": "x", "property": "s", "add_enum": ["b", "a"], "reason": "r"},
            {"component": "x", "property": "o", "accept_empty_object": True, "reason": "r"},
            {"component": "x", "property": "l/[]", "add_enum": ["q"], "reason": "r"},
            {"component": "x", "optional": ["s"], "reason": "r"},
        ],
    )
    properties = patched["x"]["properties"]
    assert properties["s"]["enum"] == ["a", "b"]
    assert properties["o"] == {"anyOf": [{"$ref": REF + "y"}, {"type": "object", "maxProperties": 0}]}
    assert properties["l"]["items"]["enum"] == ["p", "q"]
    assert policies["x"].optional == {"s"}
    assert components["x"]["properties"]["s"]["enum"] == ["a"]  # inputs untouched
    with pytest.raises(PatchError, match="no reason"):
        apply_patches(components, [{"component": "x", "property": "s", "add_enum": ["c"]}])
    with pytest.raises(PatchError, match="unknown component"):
        apply_patches(components, [{"component": "z", "optional": ["a"], "reason": "r"}])
    with pytest.raises(PatchError, match="no schema at"):
        apply_patches(components, [{"component": "x", "property": "nope", "merge": {}, "reason": "r"}])


# --- the whole pipeline on a small, made-up spec ------------------------------------------


def _mini_overlays(tmp_path: Path, catalogue: list[dict[str, str]], patches: list[Any]) -> Path:
    root = tmp_path / "overlays"
    (root / "components").mkdir(parents=True)
    (root / "catalogue.yaml").write_text(
        yaml.safe_dump({"api_version": "2023-08-16", "id_base": "https://x.invalid/s/", "objects": catalogue})
    )
    (root / "components" / "list.yaml").write_text(
        yaml.safe_dump({"type": "object", "properties": {"object": {"type": "string", "enum": ["list"]}}})
    )
    (root / "patches.yaml").write_text(yaml.safe_dump({"patches": patches}))
    (root / "examples.yaml").write_text("{}\n")
    return root


MINI_SPEC = {
    "components": {
        "schemas": {
            "thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "object": {"type": "string", "enum": ["thing"]},
                    "spec_required": {"type": "string"},
                    "always": {"type": "string", "nullable": True},
                    "sometimes": {"type": "integer"},
                    "documented_optional": {"type": "integer"},
                    "part": {"$ref": REF + "part"},
                    "owner": {
                        "anyOf": [{"type": "string"}, {"$ref": REF + "owner"}],
                        "nullable": True,
                    },
                },
                "required": ["id", "object", "spec_required"],
            },
            "part": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            "owner": {
                "type": "object",
                "properties": {"object": {"type": "string", "enum": ["owner"]}, "n": {"type": "integer"}},
                "required": ["object", "n"],
            },
            "deleted_thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "object": {"type": "string", "enum": ["thing"]},
                    "deleted": {"type": "boolean", "enum": [True]},
                },
                "required": ["deleted", "id", "object"],
            },
        }
    }
}


def test_required_comes_from_examples(tmp_path: Path) -> None:
    fixtures = {
        "thing": {
            "id": "t",
            "object": "thing",
            "always": None,
            "sometimes": 1,
            "documented_optional": 1,
            "part": {"a": "x"},
            "owner": {"object": "owner", "n": 1, "new_field": 2},
        },
        "container": {"nested": {"id": "t2", "object": "thing", "always": "y", "part": {}}},
    }
    catalogue = [{"name": "thing", "source": "openapi"}, {"name": "gadget", "source": "fixtures"}]
    nested = {"object": "thing", "id": "t3", "always": None, "part": {"a": "z"}}
    fixtures["gadget"] = {"object": "gadget", "id": "g", "when": None, "thing": nested}
    overlays = _mini_overlays(
        tmp_path, catalogue, [{"component": "thing", "optional": ["documented_optional"], "reason": "r"}]
    )
    generated = generate(MINI_SPEC, fixtures, load_overlays(overlays))
    files = generated.files
    assert sorted(files) == [
        "defs/owner.json",
        "defs/part.json",
        "deleted_thing.json",
        "gadget.json",
        "index.json",
        "list.json",
        "thing.json",
    ]
    thing = files["thing.json"]
    # In all three examples: id, object, always, part. spec_required is in none: dropped. Required are
    # the spec's fields every example carries; the others every example carries are expected present.
    assert thing["required"] == ["id", "object"]
    assert thing["x-stripe-present"] == ["always", "part"]
    assert generated.required.relaxed == ("part#: a", "thing#: spec_required")
    assert "required" not in files["defs/part.json"]  # one example lacks "a"
    assert files["defs/owner.json"]["required"] == ["n", "object"]
    assert thing["properties"]["owner"]["anyOf"][1] == {"$ref": "defs/owner.json"}
    assert files["defs/owner.json"]["x-stripe-api-version"] == "2023-08-16"
    gadget = files["gadget.json"]
    assert gadget["x-stripe-source"] == "fixtures"
    assert gadget["properties"]["when"] == {}
    assert gadget["properties"]["thing"] == {"$ref": "thing.json"}
    index = files["index.json"]
    assert index["objects"] == ["thing", "gadget"]
    assert index["schemas"]["deleted_thing"]["deleted"] is True
    assert index["schemas"]["thing"]["object"] == "thing"
    assert generated.conflicts == ()


def test_conflicting_example_is_reported(tmp_path: Path) -> None:
    overlays = _mini_overlays(tmp_path, [{"name": "thing", "source": "openapi"}], [])
    fixtures = {"thing": {"id": 5, "object": "thing", "spec_required": "x"}}
    generated = generate(MINI_SPEC, fixtures, load_overlays(overlays))
    assert generated.conflicts == ("thing: $.id: 5 is not of type 'string'",)


# --- the committed files -----------------------------------------------------------------


def test_committed_files_match_the_generator(generated: Any) -> None:
    assert stale_files(generated.files, stripe_schemas_dir()) == []


def test_generation_is_deterministic(generated: Any, spec: dict[str, Any], stripe_fixtures: dict[str, Any]) -> None:
    overlays = load_overlays(Path(__file__).resolve().parents[2] / "schemas" / "overlays")
    again = generate(spec, stripe_fixtures, overlays)
    assert again.files.keys() == generated.files.keys()
    for path, document in generated.files.items():
        assert render(again.files[path]) == render(document), path


def test_schema_files_hold_no_documentation() -> None:
    allowed = {"x-stripe-api-version", "x-stripe-source", "x-stripe-present"}
    ids = set()
    for path in sorted(stripe_schemas_dir().rglob("*.json")):
        document = json.loads(path.read_text())
        if path.name == "index.json":
            continue
        ids.add(document["$id"])
        assert document["$id"].endswith("/" + path.relative_to(stripe_schemas_dir()).as_posix())
        assert document["x-stripe-api-version"]
        stack = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                assert not set(node) & {"description", "title"}, path
                assert not {k for k in node if k.startswith("x-")} - allowed, path
                for key, value in node.items():
                    stack.extend(value.values() if key == "properties" else [value])
            elif isinstance(node, list):
                stack.extend(node)
    assert len(ids) == 769
