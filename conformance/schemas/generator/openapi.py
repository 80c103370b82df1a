"""Convert one OpenAPI 3.0 schema component into a JSON Schema 2020-12 fragment.

The conversion keeps what a response validator needs (types, nullability, enums,
``properties``/``required``, ``items``, ``additionalProperties``, ``anyOf`` for
expandable and polymorphic fields) and drops documentation and generator hints
(``description``, ``title``, ``x-*``), and length/format/pattern facets, which
describe request validation rather than what Stripe promises about responses.

References stay in OpenAPI form (``#/components/schemas/NAME``) until the layout
step rewrites them to file URIs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["COMPONENT_REF_PREFIX", "component_refs", "convert_component", "ref_name"]

COMPONENT_REF_PREFIX = "#/components/schemas/"

# Keywords carried over unchanged (after their children are converted).
_KEPT_SCALARS = frozenset({"type", "enum", "const", "maxProperties", "minProperties"})
_DROPPED = frozenset({"description", "title", "maxLength", "minLength", "pattern", "format"})


def ref_name(ref: str) -> str:
    """Return the component name of an OpenAPI ``#/components/schemas/NAME`` reference."""
    if not ref.startswith(COMPONENT_REF_PREFIX):
        raise ValueError(f"unsupported reference {ref!r}")
    return ref[len(COMPONENT_REF_PREFIX) :]


def convert_component(node: dict[str, Any]) -> dict[str, Any]:
    """Return the 2020-12 form of an OpenAPI schema object (the input is not modified)."""
    return _convert(node)


def component_refs(node: Any) -> set[str]:
    """Return the component names referenced anywhere in a (converted or OpenAPI) schema."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_REF_PREFIX):
                found.add(ref_name(ref))
            stack.extend(v for k, v in item.items() if not k.startswith("x-"))
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _convert(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        out: dict[str, Any] = {"$ref": node["$ref"]}
        return _nullable(out) if node.get("nullable") else out
    out = {}
    for key, value in node.items():
        if key in _DROPPED or key.startswith("x-") or key == "nullable":
            continue
        if key in _KEPT_SCALARS:
            out[key] = list(value) if isinstance(value, list) else value
        elif key == "required":
            out["required"] = sorted(value)
        elif key == "properties":
            out["properties"] = {name: _convert(sub) for name, sub in value.items()}
        elif key == "items":
            out["items"] = _convert(value)
        elif key == "additionalProperties":
            out[key] = _convert(value) if isinstance(value, dict) else value
        elif key in ("anyOf", "oneOf"):
            # oneOf is weakened to anyOf: overlapping branches must not make a valid body fail.
            out["anyOf"] = [_convert(branch) for branch in value]
        else:
            raise ValueError(f"unsupported OpenAPI keyword {key!r}")
    if "anyOf" in out and len(out["anyOf"]) == 1 and len(out) == 1:
        out = out["anyOf"][0]
    return _nullable(out) if node.get("nullable") else out


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """Widen a converted schema so that it also accepts ``null``."""
    if not schema:
        return schema  # already accepts anything
    if "$ref" in schema or ("anyOf" in schema and "type" not in schema):
        branches = list(schema.get("anyOf", [schema]))
        if {"type": "null"} not in branches:
            branches.append({"type": "null"})
        rest = {k: v for k, v in schema.items() if k not in ("anyOf", "$ref")}
        return {**rest, "anyOf": branches}
    out = dict(schema)
    if "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        if "null" not in types:
            types = [*types, "null"]
        out["type"] = types
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out
