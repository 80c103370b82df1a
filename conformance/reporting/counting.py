"""The one counting rule of every report format and the console: requirements, assessed or not.

Every format counts requirements (never scenarios). A requirement is *assessed* when a check gave
a verdict on it (passed, failed, xfailed, error) and *not assessed* otherwise (the statuses of
``NOT_ASSESSED_STATUSES``: not assessed, blocked, unsupported, not run, skipped). The score is
passed / assessed; the not-assessed ones are shown beside it, never folded into either number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from conformance.reporting.model import NOT_ASSESSED_STATUSES, STATUSES
from conformance.reporting.score import ASSESSED_STATUSES, assessed, percent, score


@dataclass(frozen=True, slots=True)
class Counts:
    """How many requirements ended with each status, and the totals every format shows."""

    by_status: Mapping[str, int]

    @classmethod
    def of(cls, statuses: Iterable[str]) -> Counts:
        """Count the given requirement statuses (one per requirement)."""
        counts = dict.fromkeys(STATUSES, 0)
        for status in statuses:
            counts[status] = counts.get(status, 0) + 1
        return cls(counts)

    def __getitem__(self, status: str) -> int:
        """Return how many requirements have ``status``."""
        return self.by_status.get(status, 0)

    @property
    def total(self) -> int:
        """Every requirement counted."""
        return sum(self[s] for s in STATUSES)

    @property
    def assessed(self) -> int:
        """Requirements with a verdict."""
        return assessed(self.by_status)

    @property
    def not_assessed(self) -> int:
        """Requirements without one (they neither pass nor fail)."""
        return self.total - self.assessed

    @property
    def score_text(self) -> str:
        """Passed / assessed as a whole percentage, or a dash when nothing was assessed."""
        return percent(score(self.by_status))

    def ratio(self) -> str:
        """``passed / assessed``, e.g. ``8 / 9``."""
        return f"{self['passed']} / {self.assessed}"

    def not_assessed_text(self) -> str:
        """The not-assessed requirements by status, e.g. ``6 skipped`` or ``2 blocked, 1 not_run``; empty for none."""
        return ", ".join(f"{self[s]} {s}" for s in NOT_ASSESSED_STATUSES if self[s])

    def verdicts_text(self) -> str:
        """The assessed requirements that did not pass, e.g. ``1 failed, 2 xfailed``; empty for none."""
        return ", ".join(f"{self[s]} {s}" for s in ASSESSED_STATUSES if s != "passed" and self[s])

    def line(self, *, with_score: bool = True) -> str:
        """One line with everything: ``8 / 9 assessed passed (88%), 1 failed; 6 not assessed (6 skipped)``."""
        text = f"{self.ratio()} assessed passed" + (f" ({self.score_text})" if with_score else "")
        if self.verdicts_text():
            text += f", {self.verdicts_text()}"
        if self.not_assessed:
            text += f"; {self.not_assessed} not assessed ({self.not_assessed_text()})"
        return text
