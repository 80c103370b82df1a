"""The expectation model: one expected outcome per requirement, and an immutable set of them."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

OUTCOMES = ("pass", "fail", "skip")
"""What an entry may expect; ``fail`` covers both a failed check and an errored scenario."""

_OUTCOME_OF_STATUS = {
    "passed": "pass",
    "failed": "fail",
    "error": "fail",
    "skipped": "skip",
    "not_assessed": "skip",
    "blocked": "skip",
    "unsupported": "skip",
    "not_run": "skip",
}
"""A requirement without an observation (not assessed, blocked, unsupported, not run) reads as ``skip``."""


class ExpectationsError(ValueError):
    """An expectations file is unreadable, malformed, names an unknown ID, or has expired entries."""


@dataclass(frozen=True, slots=True)
class Expectation:
    """What one requirement is expected to do on a target, and why."""

    requirement_id: str
    expected: tuple[str, ...]
    reason: str
    link: str | None = None
    expires: datetime.date | None = None
    origin: str = "expectations"

    @property
    def skips(self) -> bool:
        """True when the requirement is not to be exercised at all (``expected = "skip"``)."""
        return self.expected == ("skip",)

    def accepts(self, status: str) -> bool:
        """Tell whether an observed requirement status (``passed``, ``failed``, ...) was expected."""
        return _OUTCOME_OF_STATUS.get(status) in self.expected

    def describe(self) -> str:
        """Return the expected outcome as written: ``fail`` or ``[pass, fail]``."""
        return self.expected[0] if len(self.expected) == 1 else "[" + ", ".join(self.expected) + "]"

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form used in reports."""
        return {
            "expected": list(self.expected),
            "reason": self.reason,
            "link": self.link,
            "expires": self.expires.isoformat() if self.expires else None,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class Expectations:
    """An ordered, immutable set of expectations, at most one per requirement ID."""

    entries: tuple[Expectation, ...] = ()
    origins: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[Expectation]:
        """Iterate in file order."""
        return iter(self.entries)

    def __len__(self) -> int:
        """Return the number of entries."""
        return len(self.entries)

    def __contains__(self, requirement_id: object) -> bool:
        """Tell whether an entry names ``requirement_id``."""
        return any(e.requirement_id == requirement_id for e in self.entries)

    def get(self, requirement_id: str) -> Expectation | None:
        """Return the entry for ``requirement_id``, or None."""
        for entry in self.entries:
            if entry.requirement_id == requirement_id:
                return entry
        return None

    def skipped_ids(self) -> frozenset[str]:
        """Return the IDs whose scenarios are not to be run (``expected = "skip"``)."""
        return frozenset(e.requirement_id for e in self.entries if e.skips)

    def failing_ids(self) -> frozenset[str]:
        """Return the IDs expected to fail (alone or as one of several accepted outcomes)."""
        return frozenset(e.requirement_id for e in self.entries if "fail" in e.expected)

    def merge(self, other: Expectations) -> Expectations:
        """Return a new set where ``other``'s entries replace this one's for the same ID."""
        replaced = {e.requirement_id for e in other.entries}
        kept = tuple(e for e in self.entries if e.requirement_id not in replaced)
        origins = tuple(dict.fromkeys((*self.origins, *other.origins)))
        return Expectations(kept + other.entries, origins)
