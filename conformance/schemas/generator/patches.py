"""Apply the hand-written overlay patches to OpenAPI schema components.

Each patch names a component and, usually, a property path inside it (property
names joined by ``/``; ``[]`` steps into array items, ``{}`` into map values), says
what to change, and gives the reason (every deviation from the spec is documented
where it is made). Operations on a property:

- ``add_enum``: extra values Stripe is documented (by its own fixtures) to return;
- ``merge``: keys merged into the property schema (``{nullable: true}``, ``{type: number}``);
- ``set``: a replacement property schema (OpenAPI form), or a new property for a
  documented field the spec lacks;
- ``accept_empty_object``: the field may also hold ``{}``.

Operations on a component: ``optional`` (fields never required, whatever the
examples show) and ``required_from: spec`` (only spec-required fields may be
required: examples can remove requirements but not add them).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PatchError", "RequiredPolicy", "apply_patches"]

_PROPERTY_OPS = ("add_enum", "merge", "set", "accept_empty_object")
_COMPONENT_OPS = ("optional", "required_from")
_EMPTY_OBJECT = {"type": "object", "maxProperties": 0}


class PatchError(ValueError):
    """A patch does not fit the component it names."""


@dataclass(frozen=True)
class RequiredPolicy:
    """How the required-field pass treats one component."""

    optional: frozenset[str] = field(default_factory=frozenset)
    spec_only: bool = False


def apply_patches(
    components: Mapping[str, dict[str, Any]], patches: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, dict[str, Any]], dict[str, RequiredPolicy]]:
    """Return patched copies of the touched components and the required-field policies."""
    patched: dict[str, dict[str, Any]] = {}
    policies: dict[str, RequiredPolicy] = {}
    for patch in patches:
        name = patch.get("component")
        if not isinstance(name, str) or name not in components:
            raise PatchError(f"patch names unknown component {name!r}")
        if not patch.get("reason"):
            raise PatchError(f"patch on {name!r} gives no reason")
        ops = [op for op in (*_PROPERTY_OPS, *_COMPONENT_OPS) if op in patch]
        if not ops:
            raise PatchError(f"patch on {name!r} has no operation")
        if name not in patched:
            patched[name] = copy.deepcopy(components[name])
        if "property" in patch:
            _patch_property(name, patched[name], str(patch["property"]), patch)
        elif any(op in patch for op in _PROPERTY_OPS):
            raise PatchError(f"patch on {name!r} changes a property but names none")
        if any(op in patch for op in _COMPONENT_OPS):
            policies[name] = _policy(policies.get(name, RequiredPolicy()), patch)
    return patched, policies


def _policy(current: RequiredPolicy, patch: Mapping[str, Any]) -> RequiredPolicy:
    optional = current.optional | frozenset(patch.get("optional", ()))
    spec_only = current.spec_only or patch.get("required_from") == "spec"
    return RequiredPolicy(optional=optional, spec_only=spec_only)


def _patch_property(name: str, component: dict[str, Any], path: str, patch: Mapping[str, Any]) -> None:
    parent, key = _locate(name, component, path, create="set" in patch)
    target = parent.get(key, {})
    if "set" in patch:
        target = copy.deepcopy(patch["set"])
    if "merge" in patch:
        target = {**target, **copy.deepcopy(patch["merge"])}
    if "add_enum" in patch:
        if "enum" not in target:
            raise PatchError(f"{name}/{path} has no enum to extend")
        target = {**target, "enum": [*target["enum"], *(v for v in patch["add_enum"] if v not in target["enum"])]}
    if patch.get("accept_empty_object"):
        target = _with_empty_object(target)
    parent[key] = target


def _with_empty_object(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" not in schema and "anyOf" not in schema:
        return {"anyOf": [schema, dict(_EMPTY_OBJECT)]}
    branches = list(schema["anyOf"]) if "anyOf" in schema else [{"$ref": schema["$ref"]}]
    rest = {k: v for k, v in schema.items() if k not in ("anyOf", "$ref")}
    return {**rest, "anyOf": [*branches, dict(_EMPTY_OBJECT)]}


def _locate(name: str, component: dict[str, Any], path: str, *, create: bool) -> tuple[dict[str, Any], str]:
    """Return the dict holding the schema at ``path`` and its key there.

    With ``create``, the last step may name a property the spec lacks (a documented
    field newer than the spec).
    """
    steps = path.split("/")
    node: dict[str, Any] = component
    parent: dict[str, Any] = component
    key = ""
    for index, step in enumerate(steps):
        if step == "[]":
            parent, key = node, "items"
        elif step == "{}":
            parent, key = node, "additionalProperties"
        else:
            parent, key = node.get("properties", {}), step
        last = index == len(steps) - 1
        if key not in parent and last and create and step not in ("[]", "{}"):
            break
        if key not in parent or not isinstance(parent[key], dict):
            raise PatchError(f"{name}/{path}: no schema at {step!r}")
        node = parent[key]
    return parent, key
