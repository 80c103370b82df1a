"""Load and validate the requirement catalogue shipped as ``catalogue.toml``."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

AREAS = (
    "create",
    "retrieve",
    "update",
    "delete",
    "default_source",
    "pagination",
    "errors",
    "auth",
    "idempotency",
    "schema",
    "fuzz",
    "client",
    "webhook_endpoints",
    "climate",
    "forwarding",
    "crypto_onramp",
    "identity",
)
LEVELS = ("MUST", "SHOULD")
_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9][a-z0-9_-]*)+$")
_FIELDS = {"id", "area", "level", "title", "source", "untested", "evidence"}
EVIDENCE_KINDS = ("seed", "spec", "docs", "fixture", "observed")
"""How we know: a seed section, an OpenAPI 2023-08-16 pointer, a public Stripe docs URL, an official
fixture, or Stripe behaviour seen but not documented (``ref`` says where it was seen)."""
MUST_EVIDENCE = ("seed", "spec", "docs")
"""Only these kinds of evidence can make a requirement a MUST."""


class CatalogueError(ValueError):
    """The catalogue file is malformed (bad ID, area, level, duplicate, missing field)."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One documented behaviour: stable ID, area, level, our paraphrase, and where it comes from."""

    id: str
    area: str
    level: str
    title: str
    source: str
    untested: str | None = None
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a requirement: its kind (``EVIDENCE_KINDS``) and where it is."""

    kind: str
    ref: str

    def to_dict(self) -> dict[str, str]:
        """Return the JSON-ready form."""
        return {"kind": self.kind, "ref": self.ref}


@dataclass(frozen=True)
class Catalogue:
    """An immutable, ordered set of requirements indexed by ID."""

    requirements: tuple[Requirement, ...]

    def __post_init__(self) -> None:
        """Index by ID (the dataclass is frozen, so write through object.__setattr__)."""
        object.__setattr__(self, "_by_id", {r.id: r for r in self.requirements})

    def __iter__(self) -> Iterator[Requirement]:
        """Iterate in catalogue order."""
        return iter(self.requirements)

    def __len__(self) -> int:
        """Return the number of requirements."""
        return len(self.requirements)

    def __contains__(self, requirement_id: object) -> bool:
        """Tell whether ``requirement_id`` is in the catalogue."""
        return requirement_id in self._index

    def get(self, requirement_id: str) -> Requirement:
        """Return the requirement with ``requirement_id`` or raise ``KeyError``."""
        return self._index[requirement_id]

    @property
    def _index(self) -> dict[str, Requirement]:
        index: dict[str, Requirement] = self.__dict__["_by_id"]
        return index


def parse_catalogue(text: str, *, origin: str = "catalogue") -> Catalogue:
    """Parse catalogue TOML text and validate every entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{origin}: not valid TOML: {exc}") from None
    entries = data.get("requirement", [])
    seen: set[str] = set()
    requirements = []
    for position, entry in enumerate(entries, start=1):
        requirement = _parse_entry(entry, f"{origin} entry {position}")
        if requirement.id in seen:
            raise CatalogueError(f"{origin}: duplicate requirement id {requirement.id!r}")
        seen.add(requirement.id)
        requirements.append(requirement)
    return Catalogue(tuple(requirements))


def _parse_entry(entry: dict[str, object], where: str) -> Requirement:
    unknown = set(entry) - _FIELDS
    if unknown:
        raise CatalogueError(f"{where}: unknown field(s) {sorted(unknown)}")
    for name in ("id", "area", "level", "title", "source"):
        if not isinstance(entry.get(name), str) or not entry[name]:
            raise CatalogueError(f"{where}: missing or empty {name!r}")
    evidence = _parse_evidence(entry.get("evidence", []), where)
    requirement = Requirement(**(entry | {"evidence": evidence}))  # type: ignore[arg-type]
    if not _ID_PATTERN.match(requirement.id):
        raise CatalogueError(f"{where}: id {requirement.id!r} is not dotted lowercase")
    if requirement.area not in AREAS:
        raise CatalogueError(f"{where}: area {requirement.area!r} is not one of {AREAS}")
    if requirement.level not in LEVELS:
        raise CatalogueError(f"{where}: level {requirement.level!r} is not MUST or SHOULD")
    return requirement


def _parse_evidence(raw: object, where: str) -> tuple[Evidence, ...]:
    if not isinstance(raw, list):
        raise CatalogueError(f"{where}: evidence must be a list of {{kind, ref}} tables")
    evidence = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"kind", "ref"}:
            raise CatalogueError(f"{where}: each evidence entry needs exactly 'kind' and 'ref'")
        if item["kind"] not in EVIDENCE_KINDS or not isinstance(item["ref"], str) or not item["ref"]:
            raise CatalogueError(f"{where}: evidence kind must be one of {EVIDENCE_KINDS} with a non-empty ref")
        evidence.append(Evidence(item["kind"], item["ref"]))
    return tuple(evidence)


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load the catalogue from ``path``, or the one shipped with the package."""
    if path is not None:
        return parse_catalogue(path.read_text(encoding="utf-8"), origin=str(path))
    return _shipped_catalogue()


@functools.cache
def _shipped_catalogue() -> Catalogue:
    text = resources.files("conformance.requirements").joinpath("catalogue.toml").read_text("utf-8")
    return parse_catalogue(text, origin="catalogue.toml")
