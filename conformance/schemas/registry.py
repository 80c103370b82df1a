"""The schema registry: pick a body's schema, check it fast, explain it fully when it fails."""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from conformance.schemas.bundle import Bundle
from conformance.schemas.dispatch import LIST_SCHEMA, Dispatcher
from conformance.schemas.errors import SchemaError, Severity, UnknownObjectError
from conformance.schemas.jsonpath import json_path, json_pointer
from conformance.schemas.location import schemas_root
from conformance.schemas.shapes import Shapes
from conformance.schemas.store import INDEX_FILE, SchemaStore

if TYPE_CHECKING:
    from jsonschema.protocols import Validator  # type: ignore[import-untyped, unused-ignore]

__all__ = ["SchemaRegistry", "default_registry"]

Path_ = tuple[str | int, ...]


PRESENT_KEYWORD = "x-stripe-present"
"""Schema keyword listing the fields Stripe is seen to always return beyond ``required`` (a SHOULD)."""

class SchemaRegistry:
    """Every generated Stripe object schema, compiled lazily, one object type at a time.

    Loading reads only the index. The first check of an object type bundles the
    schema files (once per registry) and compiles that type with jsonschema_rs.
    :meth:`is_valid` and the valid case of :meth:`validate` use the compiled
    validators only; the pure-Python validator runs only to explain an invalid body.
    """

    def __init__(self, store: SchemaStore) -> None:
        """Wrap a schema store; prefer :meth:`load`."""
        self._store = store
        self._dispatcher = Dispatcher.from_entries(store.entries)
        self._lock = threading.Lock()
        self._bundles: dict[bool, Bundle] = {}
        self._shapes: Shapes | None = None
        self._fast: dict[tuple[str, bool], jsonschema_rs.Validator] = {}
        self._full: dict[str, Validator] = {}

    @classmethod
    def load(cls, root: Path | None = None) -> SchemaRegistry:
        """Load the schemas under ``root`` (a ``schemas/`` tree, or its ``stripe/`` directory).

        Without ``root``, the schemas shipped with the package are used.
        """
        base = schemas_root() if root is None else Path(root)
        directory = base if (base / INDEX_FILE).is_file() else base / "stripe"
        return cls(SchemaStore(directory))

    @property
    def api_version(self) -> str:
        """The Stripe API version the spec-derived schemas describe."""
        return self._store.api_version

    @property
    def directory(self) -> Path:
        """The directory the schema files are read from."""
        return self._store.directory

    def object_names(self) -> list[str]:
        """Return the catalogue: the name of every documented object, in catalogue order."""
        return list(self._store.objects)

    def schema_names(self) -> list[str]:
        """Return every top-level schema: the catalogue, deleted variants, the list envelope."""
        return list(self._store.entries)

    def api_version_of(self, name: str) -> str:
        """Return the API version (or evidence label) the schema ``name`` describes."""
        return self._store.entries[name].api_version

    def schema(self, name: str) -> Mapping[str, Any]:
        """Return the parsed top-level schema ``name``."""
        document: Mapping[str, Any] = self._store.document(self._store.entries[name].file)
        return document

    def schema_name_for(self, body: Any) -> str | None:
        """Return the name of the schema that describes ``body``, or ``None``.

        The ``object`` value selects it; ``"deleted": true`` selects the deleted
        variant; ``{"error": {...}}`` selects the error envelope; ``"object": "list"``
        selects the list envelope (whose items are checked by their own ``object``).
        """
        return self._dispatcher.schema_name_for(body)

    def is_valid(self, body: Any, *, schema: str | None = None) -> bool:
        """Tell whether ``body`` is valid (unknown fields allowed), on the fast path only.

        ``schema`` forces the schema instead of picking it from ``body``. Raises
        :class:`UnknownObjectError` when no schema describes ``body`` or an item of a list.
        """
        name = self._require_name(body, ()) if schema is None else self._known(schema)
        if not self._fast_validator(name, strict=False).is_valid(body):
            return False
        if name == LIST_SCHEMA and isinstance(body, dict):
            return all(self._is_valid_item(item, index) for index, item in enumerate(body["data"]))
        return True

    def _is_valid_item(self, item: Any, index: int) -> bool:
        """Check one item of a list's ``data`` (at ``index``) on the fast path."""
        name = self._require_name(item, ("data", index))
        return bool(self._fast_validator(name, strict=False).is_valid(item))

    def validate(self, body: Any, *, strict: bool = False, schema: str | None = None) -> list[SchemaError]:
        """Return every error in ``body``, each with its JSON path, and every unknown field.

        Unknown fields are warnings, or errors when ``strict``; ``strict`` also reports, as errors,
        fields Stripe is seen to always return (``x-stripe-present``, from the official fixtures)
        that the body lacks. Without ``strict`` only what the 2023-08-16 spec requires is checked
        for presence. An empty list means valid with no unknown field. ``schema`` forces the schema
        instead of picking it from ``body`` (list items are still picked by their own ``object``). Raises
        :class:`UnknownObjectError` when no schema describes ``body`` or an item of a list.
        """
        return self._validate(body, (), strict=strict, name=schema and self._known(schema))

    def _validate(self, body: Any, prefix: Path_, *, strict: bool, name: str | None = None) -> list[SchemaError]:
        name = name or self._require_name(body, prefix)
        findings: list[SchemaError] = []
        closed = self._fast_validator(name, strict=True)
        if not closed.is_valid(body):
            if not self._fast_validator(name, strict=False).is_valid(body):
                # Imported here: the pure-Python validator is only needed to explain.
                from conformance.schemas.detail import detailed_errors

                findings.extend(detailed_errors(self._full_validator(name), body, schema_name=name, prefix=prefix))
            findings.extend(self._unknown(name, body, prefix, strict=strict))
        if strict:
            findings.extend(self.missing_present(body, name=name, prefix=prefix))
        if name == LIST_SCHEMA and isinstance(body, dict) and isinstance(body.get("data"), list):
            for index, item in enumerate(body["data"]):
                findings.extend(self._validate(item, (*prefix, "data", index), strict=strict))
        return findings

    def missing_present(self, body: Any, *, name: str | None = None, prefix: Path_ = ()) -> list[SchemaError]:
        """Report every field Stripe always returns (``x-stripe-present``) that ``body`` lacks (a SHOULD).

        List items are not descended into here: ``validate`` checks each item on its own.
        """
        name = name or self._require_name(body, prefix)
        if self._shapes is None:
            self._shapes = Shapes(self._store.all_documents())
        return [
            SchemaError(
                json_path=json_path((*prefix, *visit.instance_path, key)),
                schema_path=f"{name}#{json_pointer((*visit.schema_path, PRESENT_KEYWORD))}",
                message=f"field {key!r} is missing (Stripe's official fixtures always carry it; the spec "
                "leaves it optional)",
            )
            for visit in self._shapes.visits(body, self._store.entries[name].file)
            if not (name == LIST_SCHEMA and visit.instance_path)
            for key in visit.schema.get(PRESENT_KEYWORD, ())
            if key not in visit.instance
        ]

    def _unknown(self, name: str, body: Any, prefix: Path_, *, strict: bool) -> list[SchemaError]:
        """Report every field of ``body`` that the schema of its object does not list."""
        if self._shapes is None:
            self._shapes = Shapes(self._store.all_documents())
        version = self._store.entries[name].api_version
        severity: Severity = "error" if strict else "warning"
        return [
            SchemaError(
                json_path=json_path((*prefix, *visit.instance_path, key)),
                schema_path=f"{name}#{json_pointer((*visit.schema_path, 'properties'))}",
                message=f"unknown field {key!r} (not in the {version} schema)",
                severity=severity,
            )
            for visit in self._shapes.visits(body, self._store.entries[name].file)
            for key in sorted(visit.unknown)
        ]

    def _known(self, name: str) -> str:
        if name not in self._store.entries:
            raise UnknownObjectError(f"no schema named {name!r}")
        return name

    def _require_name(self, body: Any, prefix: Path_) -> str:
        name = self.schema_name_for(body)
        if name is not None:
            return name
        where = json_path(prefix)
        if not isinstance(body, dict):
            message = f"{where}: not a JSON object (got {type(body).__name__})"
        elif isinstance(body.get("object"), str):
            message = f"{where}: no schema for object type {body['object']!r}"
        else:
            message = f"{where}: no 'object' field and not an error envelope"
        raise UnknownObjectError(message, json_path=where)

    def standalone_schema(self, name: str, *, strict: bool = False) -> dict[str, Any]:
        """Return the schema ``name`` as one plain JSON Schema document, for any validator or tool.

        Everything it references is under ``$defs`` with local ``$ref``s; the ``$id``s of this
        registry and the ``x-`` annotations are dropped. ``strict`` closes objects to unknown fields.
        Raises ``UnknownObjectError`` for a name the registry does not have.
        """
        root = self._store.entries[self._known(name)].file
        with self._lock:
            return self._bundle(strict).schema_for(root)

    def _bundle(self, strict: bool) -> Bundle:
        """The bundle of every schema file (call with the lock held)."""
        bundle = self._bundles.get(strict)
        if bundle is None:
            bundle = Bundle.from_documents(self._store.all_documents(), strict=strict)
            self._bundles[strict] = bundle
        return bundle

    def _fast_validator(self, name: str, *, strict: bool) -> jsonschema_rs.Validator:
        validator = self._fast.get((name, strict))
        if validator is None:
            with self._lock:
                validator = self._fast.get((name, strict))
                if validator is None:
                    root = self._store.entries[name].file
                    validator = jsonschema_rs.validator_for(self._bundle(strict).schema_for(root))
                    self._fast[(name, strict)] = validator
        return validator

    def _full_validator(self, name: str) -> Validator:
        validator = self._full.get(name)
        if validator is None:
            from jsonschema import Draft202012Validator  # type: ignore[import-untyped, unused-ignore]

            registry = self._store.crawled_registry()
            validator = Draft202012Validator(self.schema(name), registry=registry)
            self._full[name] = validator
        return validator


@functools.cache
def default_registry() -> SchemaRegistry:
    """Return the registry of the shipped schemas, built on first call and then reused."""
    return SchemaRegistry.load()
