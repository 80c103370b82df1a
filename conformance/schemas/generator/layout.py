"""Where each generated schema goes: file names, ``$id`` URIs and relative ``$ref`` values.

Top-level schemas (the catalogue objects, their deleted variants and the list
envelope) live at ``stripe/<name>.json``; every other definition they reference is
shared once at ``stripe/defs/<component>.json``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from conformance.schemas.generator.openapi import COMPONENT_REF_PREFIX, ref_name

__all__ = ["Layout"]


@dataclass(frozen=True)
class Layout:
    """File placement of every generated schema."""

    id_base: str
    top_level: frozenset[str]

    def file_of(self, name: str) -> str:
        """Return the path of ``name``'s schema relative to the ``stripe/`` directory."""
        return f"{name}.json" if name in self.top_level else f"defs/{name}.json"

    def uri_of(self, name: str) -> str:
        """Return the ``$id`` of ``name``'s schema."""
        return self.id_base + self.file_of(name)

    def relative_ref(self, owner: str, target: str) -> str:
        """Return the ``$ref`` value that points from ``owner``'s file to ``target``'s file."""
        start = posixpath.dirname(self.file_of(owner)) or "."
        return posixpath.relpath(self.file_of(target), start)

    def rewrite_refs(self, schema: Any, owner: str) -> Any:
        """Return ``schema`` with component references replaced by relative file references."""
        if isinstance(schema, dict):
            ref = schema.get("$ref")
            if isinstance(ref, str) and ref.startswith(COMPONENT_REF_PREFIX):
                return {**schema, "$ref": self.relative_ref(owner, ref_name(ref))}
            return {key: self.rewrite_refs(value, owner) for key, value in schema.items()}
        if isinstance(schema, list):
            return [self.rewrite_refs(item, owner) for item in schema]
        return schema
