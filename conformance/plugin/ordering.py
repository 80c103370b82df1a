"""The order scenarios are handed out in: those sending the most requests first.

With several processes (``--concurrency``), pytest-xdist gives out scenarios in collection order
as processes free up. A long scenario given out last leaves one process working alone at the end
while the rate limit would allow more in flight; given out first, it overlaps with the short ones.
"""

from __future__ import annotations

import pytest

FIRST_MARKER = "runs_first"
MARKER_HELP = f"{FIRST_MARKER}: a scenario that sends many requests; collected first so concurrent processes overlap it"


def long_scenarios_first(items: list[pytest.Item]) -> None:
    """Move the scenarios marked ``runs_first`` to the front, each group keeping its order."""
    items.sort(key=lambda item: item.get_closest_marker(FIRST_MARKER) is None)
