"""Read expectations from TOML or YAML and validate every entry against the catalogue.

File layout (TOML shown; YAML has the same shape)::

    description = "optional free text"

    [expectations."card.default.first-card"]
    expected = "fail"                  # or "skip", or ["pass", "fail"] for an intermittent one
    reason = "why the target deviates"
    link = "https://tracker.example/issue/12"   # optional
    expires = 2027-01-01               # optional; on and after this day the entry is an error

Target profiles embed the same ``id -> entry`` table and call ``parse_expectations`` on it.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Hashable, Mapping
from pathlib import Path

import yaml

from conformance.expectations.model import OUTCOMES, Expectation, Expectations, ExpectationsError
from conformance.requirements import Catalogue, load_catalogue

_TOP_LEVEL = {"expectations", "description"}
_ENTRY_FIELDS = {"expected", "reason", "link", "expires"}
_YAML_SUFFIXES = (".yaml", ".yml")


def load_expectations(
    path: Path, *, catalogue: Catalogue | None = None, today: datetime.date | None = None
) -> Expectations:
    """Load and validate the expectations file at ``path`` (``.yaml``/``.yml`` as YAML, else TOML).

    Raises ``ExpectationsError`` with one line naming the file and the first problem.
    """
    origin = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExpectationsError(f"{origin}: cannot read expectations file ({exc.__class__.__name__})") from None
    document = _parse_yaml(text, origin) if path.suffix.lower() in _YAML_SUFFIXES else _parse_toml(text, origin)
    if not isinstance(document, Mapping):
        raise ExpectationsError(f"{origin}: expected a table with an 'expectations' section")
    unknown = sorted(str(k) for k in document if k not in _TOP_LEVEL)
    if unknown:
        raise ExpectationsError(f"{origin}: unknown top-level key(s) {unknown}; expected 'expectations'")
    entries = document.get("expectations") or {}
    if not isinstance(entries, Mapping):
        raise ExpectationsError(f"{origin}: 'expectations' must map requirement IDs to entries")
    return parse_expectations(entries, origin=origin, catalogue=catalogue, today=today)


def parse_expectations(
    entries: Mapping[str, object],
    *,
    origin: str,
    catalogue: Catalogue | None = None,
    today: datetime.date | None = None,
) -> Expectations:
    """Validate an ``id -> entry`` mapping (already parsed) and return the expectations it holds.

    Every ID must be in ``catalogue`` (default: the shipped one); an entry whose ``expires`` date
    is ``today`` or earlier is an error, so a forgotten deviation cannot hide a problem for ever.
    """
    catalogue = catalogue if catalogue is not None else load_catalogue()
    today = today or datetime.date.today()
    parsed = []
    for requirement_id, entry in entries.items():
        expectation = _parse_entry(str(requirement_id), entry, origin)
        if expectation.requirement_id not in catalogue:
            raise ExpectationsError(f"{origin}: unknown requirement id {expectation.requirement_id!r}")
        if expectation.expires is not None and expectation.expires <= today:
            raise ExpectationsError(
                f"{origin}: {expectation.requirement_id}: expired on {expectation.expires.isoformat()}; "
                "check the target again, then renew or remove the entry"
            )
        parsed.append(expectation)
    return Expectations(tuple(parsed), (origin,))


def _parse_entry(requirement_id: str, entry: object, origin: str) -> Expectation:
    where = f"{origin}: {requirement_id}"
    if not isinstance(entry, Mapping):
        raise ExpectationsError(f"{where}: an entry must be a table with 'expected' and 'reason'")
    unknown = sorted(str(k) for k in entry if k not in _ENTRY_FIELDS)
    if unknown:
        raise ExpectationsError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(_ENTRY_FIELDS)}")
    expected = _parse_expected(entry.get("expected"), where)
    reason = entry.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise ExpectationsError(f"{where}: 'reason' is required (why does the target deviate?)")
    link = entry.get("link")
    if link is not None and not isinstance(link, str):
        raise ExpectationsError(f"{where}: 'link' must be a string")
    return Expectation(
        requirement_id=requirement_id,
        expected=expected,
        reason=reason.strip(),
        link=link or None,
        expires=_parse_date(entry.get("expires"), where),
        origin=origin,
    )


def _parse_expected(value: object, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ExpectationsError(f"{where}: 'expected' must be 'fail', 'skip' or a list such as ['pass', 'fail']")
    outcomes = [i.strip().lower() for i in items]
    bad = [o for o in outcomes if o not in OUTCOMES]
    if bad:
        raise ExpectationsError(f"{where}: 'expected' has {bad[0]!r}; use pass, fail or skip")
    chosen = tuple(o for o in OUTCOMES if o in outcomes)
    if chosen == ("pass",):
        raise ExpectationsError(f"{where}: expecting only 'pass' is the default; remove the entry")
    return chosen


def _parse_date(value: object, where: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ExpectationsError(f"{where}: 'expires' must be a date such as 2027-01-01")


def _parse_toml(text: str, origin: str) -> object:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ExpectationsError(f"{origin}: not valid TOML: {exc}") from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses a key given twice in one mapping (PyYAML keeps the last)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Hashable, object]:
    seen: set[Hashable] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def _parse_yaml(text: str, origin: str) -> object:
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or exc.__class__.__name__
        raise ExpectationsError(f"{origin}: not valid YAML{where}: {problem}") from None
