"""Read the generated schema files: the index, single documents, and the referencing registry."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referencing import Registry, Resource

__all__ = ["INDEX_FILE", "SchemaEntry", "SchemaStore", "StoreError"]

INDEX_FILE = "index.json"


class StoreError(RuntimeError):
    """The schema directory is missing or damaged."""


@dataclass(frozen=True, slots=True)
class SchemaEntry:
    """What the index says about one top-level schema."""

    name: str
    file: str
    object: str | None
    deleted: bool
    api_version: str
    source: str
    envelope: str | None


class SchemaStore:
    """Lazy, caching access to one directory of generated schemas (``schemas/stripe``)."""

    def __init__(self, directory: Path) -> None:
        """Read the index of ``directory``; schema files are read on first use."""
        self.directory = directory
        try:
            index = json.loads((directory / INDEX_FILE).read_bytes())
        except (OSError, ValueError) as exc:
            raise StoreError(f"no usable schema index in {directory}: {exc}") from exc
        self.id_base: str = index["id_base"]
        self.api_version: str = index["api_version"]
        self.objects: tuple[str, ...] = tuple(index["objects"])
        self.entries: Mapping[str, SchemaEntry] = {
            name: SchemaEntry(
                name=name,
                file=item["file"],
                object=item.get("object"),
                deleted=bool(item.get("deleted")),
                api_version=item["api_version"],
                source=item["source"],
                envelope=item.get("envelope"),
            )
            for name, item in index["schemas"].items()
        }
        self._documents: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._lazy: Registry[Any] | None = None
        self._crawled: Registry[Any] | None = None

    def registry(self) -> Registry[Any]:
        """Return the ``referencing`` registry resolving every schema URI, reading on demand."""
        if self._lazy is None:
            from referencing import Registry  # imported on first use: slow to import

            self._lazy = Registry(retrieve=self._retrieve)  # type: ignore[call-arg]
        return self._lazy

    def crawled_registry(self) -> Registry[Any]:
        """Return the registry with every schema loaded and crawled, built once."""
        if self._crawled is None:
            from referencing.jsonschema import DRAFT202012

            resources = [
                (self.id_base + path, DRAFT202012.create_resource(document))
                for path, document in self.all_documents().items()
            ]
            self._crawled = self.registry().with_resources(resources).crawl()
        return self._crawled

    def document(self, path: str) -> Any:
        """Return the parsed file at ``path`` (relative to the directory), cached."""
        document = self._documents.get(path)
        if document is None:
            try:
                document = json.loads((self.directory / path).read_bytes())
            except (OSError, ValueError) as exc:
                raise StoreError(f"cannot read schema {path}: {exc}") from exc
            self._documents[path] = document
        return document

    def all_documents(self) -> Mapping[str, Any]:
        """Return every schema file, keyed by its path relative to the directory."""
        with self._lock:
            for file in sorted(self.directory.rglob("*.json")):
                path = file.relative_to(self.directory).as_posix()
                if path != INDEX_FILE:
                    self.document(path)
            return dict(self._documents)

    def uri(self, name: str) -> str:
        """Return the ``$id`` of the top-level schema ``name``."""
        return self.id_base + self.entries[name].file

    def _retrieve(self, uri: str) -> Resource[Any]:
        """Read the schema with ``$id`` ``uri`` (referencing reports a failure as unresolvable)."""
        from referencing.jsonschema import DRAFT202012

        if not uri.startswith(self.id_base):
            raise StoreError(f"{uri} is not a schema of this directory")
        return DRAFT202012.create_resource(self.document(uri[len(self.id_base) :]))
