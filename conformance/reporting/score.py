"""The conformance score: the share of exercised requirements that passed."""

from __future__ import annotations

import math
from collections.abc import Mapping

from conformance.reporting.model import NOT_ASSESSED_STATUSES, STATUSES

ASSESSED_STATUSES = tuple(s for s in STATUSES if s not in NOT_ASSESSED_STATUSES)
"""Statuses that carry a verdict: passed, failed, xfailed, error (``counting`` explains the rule)."""


def assessed(counts: Mapping[str, int]) -> int:
    """Return how many requirements got a verdict (a status of ``ASSESSED_STATUSES``)."""
    return sum(counts.get(s, 0) for s in ASSESSED_STATUSES)


def score(counts: Mapping[str, int]) -> float | None:
    """Return passed / assessed in [0, 1], or None when nothing was assessed.

    Expected failures (``xfailed``) count against the score: they are known non-conformance,
    accepted by the gate but not conformant. Requirements not assessed (skipped, blocked, ...) were
    not verified and do not count.
    """
    total = assessed(counts)
    return counts.get("passed", 0) / total if total else None


def percent(value: float | None) -> str:
    """Format a score as a whole percentage rounded down (99.6% is not 100%), or a dash for none."""
    return "–" if value is None else f"{math.floor(value * 100 + 1e-9)}%"
