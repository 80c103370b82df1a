"""Bundle the per-file schemas into single documents for jsonschema_rs.

jsonschema_rs inlines references that cross documents at every place they are
used; Stripe's schemas share definitions so heavily that the expansion does not
fit in memory. Within one document it compiles each definition once. A bundle puts
the files a schema needs under ``$defs`` (keyed by their path below ``stripe/``),
rewrites every ``$ref`` into a local pointer, and drops annotations the validator
ignores.

The strict variant closes every object schema that lists ``properties``
(``additionalProperties: false``): a body valid under it carries no unknown field.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Bundle", "definition_ref"]

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def definition_ref(path: str) -> str:
    """Return the local reference to the bundled copy of the file at ``path``."""
    return "#/$defs/" + path.replace("~", "~0").replace("/", "~1")


@dataclass(frozen=True)
class Bundle:
    """Every schema file rewritten for bundling, and which files each one references."""

    definitions: Mapping[str, Any]
    references: Mapping[str, frozenset[str]]

    @classmethod
    def from_documents(cls, documents: Mapping[str, Any], *, strict: bool) -> Bundle:
        """Rewrite ``documents`` (file path below ``stripe/`` to parsed schema)."""
        definitions: dict[str, Any] = {}
        references: dict[str, frozenset[str]] = {}
        for path, document in documents.items():
            found: set[str] = set()
            definitions[path] = _rewrite(document, path, strict, found)
            references[path] = frozenset(found)
        return cls(definitions, references)

    def schema_for(self, root: str) -> dict[str, Any]:
        """Return one schema that validates like the file ``root``, with what it needs."""
        needed: set[str] = set()
        stack = [root]
        while stack:
            path = stack.pop()
            if path not in needed:
                needed.add(path)
                stack.extend(self.references[path] - needed)
        return {
            "$schema": _DRAFT,
            "$ref": definition_ref(root),
            "$defs": {path: self.definitions[path] for path in sorted(needed)},
        }


def _rewrite(node: Any, owner: str, strict: bool, found: set[str]) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("$id", "$schema") or key.startswith("x-"):
                continue
            if key == "$ref":
                target = posixpath.normpath(posixpath.join(posixpath.dirname(owner), value))
                found.add(target)
                out[key] = definition_ref(target)
            elif key == "properties":
                out[key] = {name: _rewrite(sub, owner, strict, found) for name, sub in value.items()}
            else:
                out[key] = _rewrite(value, owner, strict, found)
        if strict and "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_rewrite(item, owner, strict, found) for item in node]
    return node
