"""Infer an OpenAPI-style schema component from example objects (for objects the spec lacks).

Inference only claims what the examples show: JSON types, object shapes, and a
reference to another documented object wherever a nested object carries an
``object`` value that names one. A value seen only as ``null`` gets no type (the
examples do not say what it holds otherwise), and an empty hash no field list.
Enums are never inferred from examples, and ``required`` is left to the
fixture-presence pass. What examples cannot show (that a timestamp may be
``null``, that a hash is a map keyed by currency) comes from the overlay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from conformance.schemas.generator.openapi import COMPONENT_REF_PREFIX
from conformance.schemas.json_objects import json_objects

__all__ = ["find_examples", "infer_component"]


def find_examples(documents: Iterable[Any], object_name: str | None) -> list[dict[str, Any]]:
    """Return every JSON object, at any depth in ``documents``, whose ``object`` is ``object_name``.

    Deleted stubs (``"deleted": true``) are left out: they describe a different schema.
    With ``object_name=None``, every JSON object that has an ``object`` value is returned,
    deleted stubs included.
    """
    if object_name is None:
        return [item for document in documents for item in json_objects(document) if "object" in item]
    return [
        item
        for document in documents
        for item in json_objects(document)
        if item.get("object") == object_name and item.get("deleted") is not True
    ]


def infer_component(
    object_name: str, examples: list[dict[str, Any]], known_objects: Mapping[str, str]
) -> dict[str, Any]:
    """Return an OpenAPI schema component describing ``examples`` of ``object_name``.

    ``known_objects`` maps ``object`` values to component names; nested objects with
    such a value become references instead of inline shapes.
    """
    if not examples:
        raise ValueError(f"no examples to infer {object_name!r} from")
    schema: dict[str, Any] = {}
    for example in examples:
        schema = _merge(schema, _infer_object(example, known_objects, root=True))
    schema["properties"]["object"] = {"type": "string", "enum": [object_name]}
    return schema


def _infer(value: Any, known: Mapping[str, str]) -> dict[str, Any]:
    if value is None:
        return {"nullable": True}
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        out: dict[str, Any] = {"type": "array"}
        for item in value:
            out["items"] = _merge(out.get("items", {}), _infer(item, known))
        return out
    if isinstance(value, dict):
        return _infer_object(value, known, root=False)
    raise TypeError(f"not a JSON value: {value!r}")


def _infer_object(value: dict[str, Any], known: Mapping[str, str], *, root: bool) -> dict[str, Any]:
    target = value.get("object")
    if not root and isinstance(target, str) and target in known:
        return {"$ref": COMPONENT_REF_PREFIX + known[target]}
    if not value:
        return {"type": "object"}  # an empty hash shows no field: do not claim it has none
    return {
        "type": "object",
        "properties": {key: _infer(item, known) for key, item in value.items()},
    }


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Combine two inferred schemas into one that accepts what either accepts."""
    if not left:
        return dict(right)
    if not right:
        return dict(left)
    nullable = bool(left.get("nullable") or right.get("nullable"))
    left_body = {k: v for k, v in left.items() if k != "nullable"}
    right_body = {k: v for k, v in right.items() if k != "nullable"}
    if not left_body or not right_body:
        body = left_body or right_body
    elif left_body == right_body:
        body = left_body
    elif left_body.get("type") == right_body.get("type") == "object":
        props = dict(left_body.get("properties", {}))
        for key, sub in right_body.get("properties", {}).items():
            props[key] = _merge(props[key], sub) if key in props else sub
        body = {"type": "object", "properties": props}
    elif left_body.get("type") == right_body.get("type") == "array":
        body = {"type": "array", "items": _merge(left_body.get("items", {}), right_body.get("items", {}))}
        if not body["items"]:
            del body["items"]
    elif {left_body.get("type"), right_body.get("type")} == {"integer", "number"}:
        body = {"type": "number"}
    else:
        body = {"anyOf": [left_body, right_body]}
    return {**body, "nullable": True} if nullable else body
