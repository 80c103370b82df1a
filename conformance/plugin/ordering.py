"""The order scenarios are handed out in by a run of several processes: those sending the most requests first.

With several processes (``--concurrency``, ``--workers``), pytest-xdist gives out scenarios in
collection order as processes free up. A long scenario given out last leaves one process working
alone at the end while the rate limit would allow more in flight; given out first, it overlaps with
the short ones. A serial run keeps the collection order: a target's state after one scenario can
change how it answers the next (localstripe answers 500 to some requests once the state machine has
run), and its expectations are recorded in that order.
"""

from __future__ import annotations

import pytest

FIRST_MARKER = "runs_first"
MARKER_HELP = f"{FIRST_MARKER}: a scenario that sends many requests; collected first so concurrent processes overlap it"


def long_scenarios_first(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In a pytest-xdist worker, move the scenarios marked ``runs_first`` to the front, each group keeping its order."""
    if not hasattr(config, "workerinput"):
        return
    items.sort(key=lambda item: item.get_closest_marker(FIRST_MARKER) is None)
