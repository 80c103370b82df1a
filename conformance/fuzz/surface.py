"""The project's OpenAPI document of the tested surface: where it lives and how to read it."""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.schemas.location import schemas_root

SURFACE_FILE = ("openapi", "stripe-surface.yaml")
HTTP_METHODS = ("get", "post", "delete")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's loader where PyYAML was built with it: the same document, read about 6× faster (≈ 12 vs 70 ms)."""


def surface_path() -> Path:
    """Return the path of ``schemas/openapi/stripe-surface.yaml`` (source tree or wheel)."""
    return schemas_root().joinpath(*SURFACE_FILE)


@dataclass(frozen=True, slots=True)
class OperationRef:
    """One operation of the document: its method, path template and operationId."""

    method: str
    path: str
    operation_id: str
    tag: str

    @property
    def label(self) -> str:
        """Schemathesis' label for the operation (``GET /v1/customers``)."""
        return f"{self.method.upper()} {self.path}"


def load_surface(path: Path | None = None) -> dict[str, Any]:
    """Return a fresh copy of the document (callers may change it)."""
    return copy.deepcopy(_read(path or surface_path()))


@functools.cache
def _read(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    if not isinstance(data, dict) or "paths" not in data:
        raise ValueError(f"{path}: not an OpenAPI document")
    return data


def surface_operations() -> list[OperationRef]:
    """List the shipped surface's operations, read once and not copied (collection needs only their names)."""
    return operations(_read(surface_path()))


def operations(document: dict[str, Any]) -> list[OperationRef]:
    """List the document's operations in document order."""
    found = []
    for path, item in document["paths"].items():
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is not None:
                tags = operation.get("tags") or ["untagged"]
                found.append(OperationRef(method, path, operation["operationId"], tags[0]))
    return found
