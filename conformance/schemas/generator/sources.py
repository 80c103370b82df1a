"""Read the generator's inputs: the OpenAPI spec, the fixtures, and the overlays."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CatalogueEntry", "Overlays", "SourceError", "load_fixtures", "load_overlays", "load_spec"]

_SOURCES = ("openapi", "fixtures", "overlay")
# The C loader reads the 4 MB spec several times faster; both are safe loaders.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SourceError(ValueError):
    """An input file is missing, unreadable, or not shaped as expected."""


@dataclass(frozen=True)
class CatalogueEntry:
    """One catalogue object: its name (its ``object`` value) and where its schema comes from."""

    name: str
    source: str
    api_version: str
    envelope: str | None = None


@dataclass(frozen=True)
class Overlays:
    """The hand-written inputs under ``schemas/overlays/``."""

    id_base: str
    api_version: str
    catalogue: tuple[CatalogueEntry, ...]
    patches: tuple[Mapping[str, Any], ...]
    examples: Mapping[str, tuple[Any, ...]]
    components: Mapping[str, dict[str, Any]]


def load_spec(path: Path) -> dict[str, Any]:
    """Load an OpenAPI document (YAML or JSON), with the C YAML loader when available."""
    try:
        with path.open("rb") as handle:
            spec = yaml.load(handle, Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read spec {path}: {exc}") from exc
    if not isinstance(spec, dict) or not isinstance(spec.get("components", {}).get("schemas"), dict):
        raise SourceError(f"{path} is not an OpenAPI document with components.schemas")
    return spec


def load_fixtures(path: Path) -> dict[str, Any]:
    """Load a fixtures file (``{"resources": {name: example}}``) and return the resources."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read fixtures {path}: {exc}") from exc
    resources = data.get("resources") if isinstance(data, dict) else None
    if not isinstance(resources, dict):
        raise SourceError(f"{path} has no 'resources' object")
    return resources


def load_overlays(directory: Path) -> Overlays:
    """Load ``catalogue.yaml``, ``patches.yaml``, ``examples.yaml`` and ``components/*.yaml``."""
    catalogue = _yaml(directory / "catalogue.yaml")
    entries = []
    for item in catalogue.get("objects", ()):
        source = item.get("source")
        if source not in _SOURCES:
            raise SourceError(f"catalogue entry {item!r}: source must be one of {_SOURCES}")
        version = item.get("api_version", catalogue["api_version"])
        envelope = item.get("envelope")
        entries.append(CatalogueEntry(str(item["name"]), source, str(version), str(envelope) if envelope else None))
    components = {
        path.name.removesuffix(".yaml"): _yaml(path) for path in sorted((directory / "components").glob("*.yaml"))
    }
    examples = _yaml(directory / "examples.yaml")
    return Overlays(
        id_base=str(catalogue["id_base"]),
        api_version=str(catalogue["api_version"]),
        catalogue=tuple(entries),
        patches=tuple(_yaml(directory / "patches.yaml").get("patches", ())),
        examples={name: tuple(items) for name, items in examples.items()},
        components=components,
    )


def _yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read overlay {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceError(f"overlay {path} is not a mapping")
    return data
