"""What the fuzz checks observed: per requirement, how many checks ran against a real answer, and why not.

A fuzz test cites many requirements, and only some of its examples reach each one (an update
invariant needs an accepted update; the webhook secret needs a webhook endpoint). Each check
counts here when it judges a real answer, whether it holds or not, and says why when an answer
it needed never came (a refused listing, a failed read-back). A requirement passes only on
observations (:func:`conformance.fuzz.outcome.settle`); without any it is not assessed, with
the first reason recorded.
"""

from __future__ import annotations

from collections import Counter


class Observations:
    """Per requirement: the count of checks that judged a real answer, and the first reason one could not."""

    def __init__(self) -> None:
        """Start with nothing observed."""
        self.counts: Counter[str] = Counter()
        self._missed: dict[str, str] = {}

    def saw(self, requirement_id: str, count: int = 1) -> None:
        """Record that ``count`` checks of ``requirement_id`` judged a real answer."""
        self.counts[requirement_id] += count

    def missed(self, requirement_id: str, reason: str) -> None:
        """Record why a check of ``requirement_id`` could not judge (one sentence; the first one is kept)."""
        self._missed.setdefault(requirement_id, reason)

    def count(self, requirement_id: str) -> int:
        """Return how many checks of ``requirement_id`` judged a real answer."""
        return self.counts[requirement_id]

    def reason(self, requirement_id: str) -> str | None:
        """Return the first recorded reason a check of ``requirement_id`` could not judge, if any."""
        return self._missed.get(requirement_id)
