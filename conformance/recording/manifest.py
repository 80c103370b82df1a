"""``cassette-set.json``: what a directory of cassettes was recorded from, and with which seed."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from conformance.http import bounded_json

MANIFEST_NAME = "cassette-set.json"
MANIFEST_FORMAT = 1
PLACEHOLDER_BASE_URL = "http://127.0.0.1"


class CassetteSetError(ValueError):
    """A cassette directory is missing, unreadable, or not one this tool wrote (one clear line)."""


@dataclass(frozen=True, slots=True)
class CassetteSet:
    """The manifest of a recorded run: seed, target, versions, time, and the verdicts it got."""

    seed: str
    base_url: str
    stripe_version: str
    target_name: str
    tool_version: str
    recorded_at: str
    record_mode: str
    profile: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    """Run options that shape the traffic (e.g. the fuzzing budget): a replay runs with the same."""
    libraries: dict[str, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    selection: dict[str, Any] = field(default_factory=dict)
    """The ``-k``/``-m``/shard the set was recorded with (empty: everything); a replay uses it by default."""
    format: int = MANIFEST_FORMAT

    def with_results(self, results: dict[str, str], base_url: str | None = None) -> CassetteSet:
        """Return a copy carrying the per-requirement verdicts of the recorded run."""
        return replace(self, results=dict(results), base_url=base_url or self.base_url)

    @property
    def recorded_datetime(self) -> datetime:
        """The time recording started, as an aware UTC datetime."""
        return datetime.strptime(self.recorded_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document."""
        data = asdict(self)
        return {"format": data.pop("format"), **data}


def utc_timestamp(moment: datetime | None = None) -> str:
    """Return ``moment`` (default now) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def manifest_path(directory: Path) -> Path:
    """Return where the manifest of ``directory`` lives."""
    return directory / MANIFEST_NAME


def read_cassette_set(directory: Path) -> CassetteSet:
    """Read the manifest of ``directory`` or raise ``CassetteSetError`` saying what is wrong."""
    path = manifest_path(directory)
    if not directory.is_dir():
        raise CassetteSetError(f"{directory} is not a directory of recorded cassettes")
    try:
        data = bounded_json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CassetteSetError(f"{directory} has no {MANIFEST_NAME}: it is not a recorded cassette set") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CassetteSetError(f"{path} is not readable JSON ({exc.__class__.__name__})") from None
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise CassetteSetError(f"{path} is not a cassette-set manifest of format {MANIFEST_FORMAT}")
    try:
        return CassetteSet(
            seed=str(data["seed"]),
            base_url=str(data.get("base_url") or PLACEHOLDER_BASE_URL),
            stripe_version=str(data["stripe_version"]),
            target_name=str(data.get("target_name") or "custom"),
            tool_version=str(data.get("tool_version", "")),
            recorded_at=str(data["recorded_at"]),
            record_mode=str(data.get("record_mode", "")),
            profile=str(data["profile"]) if data.get("profile") else None,
            options=dict(data.get("options") or {}),
            libraries={str(k): str(v) for k, v in dict(data.get("libraries") or {}).items()},
            results={str(k): str(v) for k, v in dict(data.get("results") or {}).items()},
            selection={str(k): v for k, v in dict(data.get("selection") or {}).items() if v},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CassetteSetError(f"{path} lacks a required field ({exc})") from None


def write_cassette_set(directory: Path, cassette_set: CassetteSet) -> Path:
    """Write the manifest into ``directory`` (created if needed) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = manifest_path(directory)
    text = json.dumps(cassette_set.to_dict(), indent=2, sort_keys=False) + "\n"
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
    return path


def clear_cassette_set(directory: Path) -> int:
    """Delete the manifest and every cassette of ``directory``; return how many files went.

    Refuses (``CassetteSetError``) a non-empty directory that is not a cassette set, so a
    mistyped path never deletes someone else's files.
    """
    if not directory.exists():
        return 0
    if not directory.is_dir():
        raise CassetteSetError(f"{directory} is not a directory")
    if any(directory.iterdir()) and not manifest_path(directory).is_file():
        raise CassetteSetError(
            f"{directory} is not empty and has no {MANIFEST_NAME}: refusing to delete files there"
        )
    removed = 0
    for cassette in sorted(directory.glob("*/*.json")):
        cassette.unlink()
        removed += 1
    for folder in sorted(p for p in directory.iterdir() if p.is_dir()):
        if not any(folder.iterdir()):
            folder.rmdir()
    if manifest_path(directory).is_file():
        manifest_path(directory).unlink()
        removed += 1
    return removed
