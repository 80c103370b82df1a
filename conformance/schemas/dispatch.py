"""Pick the schema that describes a response body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from conformance.schemas.store import SchemaEntry

__all__ = ["LIST_SCHEMA", "Dispatcher"]

LIST_SCHEMA = "list"


@dataclass(frozen=True)
class Dispatcher:
    """Map a body to a schema name by its ``object``, ``deleted`` flag, or error envelope."""

    by_object: Mapping[str, str]
    deleted_by_object: Mapping[str, str]
    envelopes: Mapping[str, str]

    @classmethod
    def from_entries(cls, entries: Mapping[str, SchemaEntry]) -> Dispatcher:
        """Build the lookup tables from the schema index."""
        by_object: dict[str, str] = {}
        deleted: dict[str, str] = {}
        envelopes: dict[str, str] = {}
        for name, entry in sorted(entries.items()):
            if entry.envelope:
                envelopes[entry.envelope] = name
            elif entry.object is not None:
                (deleted if entry.deleted else by_object).setdefault(entry.object, name)
        return cls(by_object, deleted, envelopes)

    def schema_name_for(self, body: Any) -> str | None:
        """Return the schema name for ``body``, or ``None`` when no schema describes it.

        ``{"object": X}`` selects X's schema; with ``"deleted": true`` the deleted variant
        (or X's own schema when X has none, as for objects that flag deletion in place);
        ``{"error": {...}}`` without ``object`` selects the error envelope.
        """
        if not isinstance(body, dict):
            return None
        kind = body.get("object")
        if isinstance(kind, str):
            if body.get("deleted") is True and kind in self.deleted_by_object:
                return self.deleted_by_object[kind]
            return self.by_object.get(kind)
        if kind is None and "object" not in body:
            for key, name in self.envelopes.items():
                if isinstance(body.get(key), dict):
                    return name
        return None
