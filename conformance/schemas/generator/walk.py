"""Walk a JSON body alongside its schema and visit every object the body holds.

Both the generator (to see which fields each documented example carries) and the
registry (to find fields the schema does not know) need to know which object
schema applies at each place in a body. References are followed through a
``referencing`` resolver; where a schema offers alternatives (``anyOf``: an id or
the expanded object, a polymorphic field, ``null``), the branch is picked from the
body itself: its JSON type, its ``object`` value, ``deleted``, and key overlap.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing._core import Resolver  # the public package does not re-export it

__all__ = ["ObjectVisit", "choose_branch", "walk_objects"]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ObjectVisit:
    """A JSON object in a body and the object schema that applies to it."""

    schema: Mapping[str, Any]
    instance: Mapping[str, Any]
    instance_path: Path
    schema_path: Path
    resolver: Resolver[Any]


def walk_objects(instance: Any, schema: Mapping[str, Any], resolver: Resolver[Any]) -> Iterator[ObjectVisit]:
    """Yield an :class:`ObjectVisit` for every object in ``instance`` that a schema describes."""
    yield from _walk(instance, schema, resolver, (), ())


def _walk(
    instance: Any, schema: Mapping[str, Any], resolver: Resolver[Any], ipath: Path, spath: Path
) -> Iterator[ObjectVisit]:
    schema, resolver, spath = _follow(schema, resolver, spath)
    if "anyOf" in schema:
        choice = choose_branch(instance, schema["anyOf"], resolver)
        if choice is not None:
            index, branch = choice
            yield from _walk(instance, branch, resolver, ipath, (*spath, "anyOf", index))
        return
    if isinstance(instance, dict):
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        if properties is None and not isinstance(additional, dict):
            return
        yield ObjectVisit(schema, instance, ipath, spath, resolver)
        for key, value in instance.items():
            if properties is not None and key in properties:
                yield from _walk(value, properties[key], resolver, (*ipath, key), (*spath, "properties", key))
            elif isinstance(additional, dict):
                yield from _walk(value, additional, resolver, (*ipath, key), (*spath, "additionalProperties"))
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(instance):
            yield from _walk(item, schema["items"], resolver, (*ipath, index), (*spath, "items"))


def _follow(
    schema: Mapping[str, Any], resolver: Resolver[Any], spath: Path
) -> tuple[Mapping[str, Any], Resolver[Any], Path]:
    while "$ref" in schema:
        resolved = resolver.lookup(schema["$ref"])
        schema, resolver, spath = resolved.contents, resolved.resolver, (*spath, "$ref")
    return schema, resolver, spath


def choose_branch(
    instance: Any, branches: Sequence[Mapping[str, Any]], resolver: Resolver[Any]
) -> tuple[int, Mapping[str, Any]] | None:
    """Return the index and schema of the ``anyOf`` branch that best describes ``instance``."""
    kind = _json_type(instance)
    best: tuple[float, int] | None = None
    for index, branch in enumerate(branches):
        target, _, _ = _follow(branch, resolver, ())
        if not _accepts_type(target, kind):
            continue
        score = _object_score(instance, target) if kind == "object" else 0.0
        if score is not None and (best is None or score > best[0]):
            best = (score, index)
    if best is None:
        return None
    return best[1], branches[best[1]]


def _object_score(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> float | None:
    """Rate how well an object schema fits ``instance``; ``None`` rules the branch out."""
    properties = schema.get("properties", {})
    if schema.get("maxProperties") == 0:
        return 1000.0 if not instance else None
    score = 0.0
    declared = properties.get("object", {}).get("enum")
    if declared is not None and "object" in instance:
        if instance["object"] not in declared:
            return None
        score += 100.0
    deleted_enum = properties.get("deleted", {}).get("enum")
    if instance.get("deleted") is True:
        score += 10.0 if "deleted" in properties else 0.0
    elif deleted_enum == [True]:
        return None
    if instance:
        score += len(instance.keys() & properties.keys()) / len(instance)
    return score


def _json_type(instance: Any) -> str:
    if instance is None:
        return "null"
    if isinstance(instance, bool):
        return "boolean"
    if isinstance(instance, int):
        return "integer"
    if isinstance(instance, float):
        return "number"
    if isinstance(instance, str):
        return "string"
    if isinstance(instance, list):
        return "array"
    return "object"


def _accepts_type(schema: Mapping[str, Any], kind: str) -> bool:
    declared = schema.get("type")
    if declared is None:
        if "properties" in schema or "additionalProperties" in schema or "maxProperties" in schema:
            return kind == "object"
        return True
    types = {declared} if isinstance(declared, str) else set(declared)
    return kind in types or (kind == "integer" and "number" in types)
