"""Walk a JSON body alongside its schema and visit every object the body holds.

Both the generator (which fields each documented example carries) and the registry
(which fields no schema lists) need to know which object schema describes each
object in a body. The schema files are compiled once into walking plans: for each
object schema its known fields and the fields worth descending into, for arrays
their items, and for ``anyOf`` (an id or the expanded object, a polymorphic field,
``null``) what tells the branches apart. The branch is picked from the body itself:
its JSON type, its ``object`` value, ``deleted``, and how many of its keys a branch
lists. Plans are compiled lazily, per file, on first use.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

__all__ = ["ObjectVisit", "Shapes"]

Path = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class ObjectVisit:
    """A JSON object in a body and the object schema that describes it.

    ``file`` is the schema file holding ``schema``, ``schema_path`` the keyword path
    from the root schema (``$ref`` hops left out), ``unknown`` the keys of
    ``instance`` that the schema does not list.
    """

    schema: Mapping[str, Any]
    file: str
    instance: Mapping[str, Any]
    instance_path: Path
    schema_path: Path
    unknown: frozenset[str]


@dataclass(slots=True)
class _Object:
    schema: Mapping[str, Any]
    file: str
    known: frozenset[str]
    closed: bool
    children: dict[str, _Node] = field(default_factory=dict)
    extra: _Node | None = None


@dataclass(slots=True)
class _Array:
    items: _Node


@dataclass(slots=True)
class _Branch:
    index: int
    types: frozenset[str] | None
    objects: frozenset[str] | None
    deleted_stub: bool
    empty_only: bool
    known: frozenset[str]
    node: _Node | None


@dataclass(slots=True)
class _Choice:
    branches: list[_Branch]


@dataclass(slots=True)
class _Ref:
    shapes: Shapes
    path: str

    def resolve(self) -> _Node | None:
        return self.shapes.plan(self.path)


_Node = Union[_Object, _Array, _Choice, _Ref]  # noqa: UP007 - a runtime alias


class Shapes:
    """Walking plans for one set of schema files (path below ``stripe/`` to parsed file)."""

    def __init__(self, documents: Mapping[str, Any]) -> None:
        """Keep the documents; plans are compiled on first use."""
        self._documents = documents
        self._plans: dict[str, _Node | None] = {}

    def plan(self, path: str) -> _Node | None:
        """Return the plan of the file at ``path`` (``None``: it holds no object)."""
        if path not in self._plans:
            self._plans[path] = None  # a file that refers back to itself is a leaf meanwhile
            self._plans[path] = self._compile(self._documents[path], path)
        return self._plans[path]

    def visits(self, instance: Any, path: str) -> Iterator[ObjectVisit]:
        """Yield an :class:`ObjectVisit` for every object of ``instance`` under file ``path``."""
        node = self.plan(path)
        if node is not None:
            yield from _walk(node, instance, (), ())

    def _compile(self, schema: Mapping[str, Any], owner: str) -> _Node | None:
        if "$ref" in schema:
            return _Ref(self, _target(owner, schema["$ref"]))
        if "anyOf" in schema:
            branches = [self._branch(i, b, owner) for i, b in enumerate(schema["anyOf"])]
            if all(b.node is None for b in branches):
                return None
            return _Choice(branches)
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        if isinstance(properties, dict) or isinstance(additional, dict):
            node = _Object(
                schema=schema,
                file=owner,
                known=frozenset(properties or ()),
                closed=properties is not None and additional is None,
            )
            for key, sub in (properties or {}).items():
                child = self._compile(sub, owner)
                if child is not None:
                    node.children[key] = child
            if isinstance(additional, dict):
                node.extra = self._compile(additional, owner)
            return node
        if isinstance(schema.get("items"), dict):
            items = self._compile(schema["items"], owner)
            return None if items is None else _Array(items)
        return None

    def _branch(self, index: int, schema: Mapping[str, Any], owner: str) -> _Branch:
        target, target_owner = schema, owner
        seen = 0
        while "$ref" in target and seen < 32:
            target_owner = _target(target_owner, target["$ref"])
            target, seen = self._documents[target_owner], seen + 1
        properties = target.get("properties") or {}
        declared = properties.get("object", {}).get("enum")
        return _Branch(
            index=index,
            types=_types(target),
            objects=frozenset(v for v in declared if v is not None) if declared else None,
            deleted_stub=properties.get("deleted", {}).get("enum") == [True],
            empty_only=target.get("maxProperties") == 0,
            known=frozenset(properties),
            node=self._compile(schema, owner),
        )


def _target(owner: str, ref: str) -> str:
    return posixpath.normpath(posixpath.join(posixpath.dirname(owner), ref))


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    declared = schema.get("type")
    if declared is None:
        if "properties" in schema or "additionalProperties" in schema or "maxProperties" in schema:
            return frozenset({"object"})
        return None
    return frozenset([declared] if isinstance(declared, str) else declared)


def _walk(root: _Node, instance: Any, ipath: Path, spath: Path) -> Iterator[ObjectVisit]:
    """Visit objects depth-first, parents before children, keys in body order."""
    stack: list[tuple[_Node | None, Any, Path, Path]] = [(root, instance, ipath, spath)]
    while stack:
        node, value, ipath, spath = stack.pop()
        while isinstance(node, _Ref):
            node = node.resolve()
        if node is None:
            continue
        if isinstance(node, _Choice):
            branch = _choose(node, value)
            if branch is not None:
                stack.append((branch.node, value, ipath, (*spath, "anyOf", branch.index)))
        elif isinstance(node, _Object):
            if not isinstance(value, dict):
                continue
            unknown = frozenset(value.keys() - node.known) if node.closed else frozenset()
            yield ObjectVisit(node.schema, node.file, value, ipath, spath, unknown)
            pending = []
            for key, item in value.items():
                child = node.children.get(key)
                if child is not None:
                    pending.append((child, item, (*ipath, key), (*spath, "properties", key)))
                elif node.extra is not None and key not in node.known:
                    pending.append((node.extra, item, (*ipath, key), (*spath, "additionalProperties")))
            stack.extend(reversed(pending))
        elif isinstance(value, list):
            items = node.items
            stack.extend(
                (items, item, (*ipath, index), (*spath, "items")) for index, item in reversed(list(enumerate(value)))
            )


def _choose(choice: _Choice, instance: Any) -> _Branch | None:
    """Return the branch that best describes ``instance``, or ``None`` if none fits."""
    kind = _json_type(instance)
    best: _Branch | None = None
    best_score = -1.0
    for branch in choice.branches:
        if branch.types is not None and not (kind in branch.types or (kind == "integer" and "number" in branch.types)):
            continue
        score = _score(branch, instance) if kind == "object" else 0.0
        if score is not None and score > best_score:
            best, best_score = branch, score
    return best


def _score(branch: _Branch, instance: Mapping[str, Any]) -> float | None:
    """Rate how well an object branch fits ``instance``; ``None`` rules it out."""
    if branch.empty_only:
        return 1000.0 if not instance else None
    score = 0.0
    kind = instance.get("object")
    if branch.objects is not None and isinstance(kind, str):
        if kind not in branch.objects:
            return None
        score += 100.0
    if instance.get("deleted") is True:
        score += 10.0 if "deleted" in branch.known else 0.0
    elif branch.deleted_stub:
        return None
    if instance:
        score += len(instance.keys() & branch.known) / len(instance)
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
