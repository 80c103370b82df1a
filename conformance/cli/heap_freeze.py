"""Keep the garbage collector off the heap a run builds to last: the start-up heap, then the whole heap at the end.

A default run imports pytest, Schemathesis, Hypothesis and the suite (several hundred thousand
objects that live until the process exits), then collects its scenarios. Every full collection
walks all of them again: seven during a default run, plus the one Hypothesis runs on its first
test (``register_random``), then pytest's at unconfigure (to report unraisable exceptions from
finalizers) and the interpreter's at exit. Freezing the heap (``gc.freeze``: existing objects
move to a generation no collection visits) once collection has finished takes the start-up heap
out of every later pass; the pytest plugin does that for any session that collected scenarios
(``RunEnd.pytest_collection_finish``), so a plain ``pytest`` run of the suite gets it too. Freezing
again when the session has finished does the same for what the run built, by when the reports
are written and the process is about to exit. Objects created after a freeze are collected as
usual. Measured in benchmarks/RESULTS.md (sessions 3, 5 and 6).
"""

from __future__ import annotations

import gc

import pytest


class FreezeHeapAtExit:
    """A pytest plugin object for the CLI's run: freezes the heap before pytest's exit collections."""

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        """Freeze once every other session-finish hook (the reports among them) has run."""
        gc.freeze()


YOUNG_THRESHOLD = 5000
"""Allocations between two collections of the youngest generation (Python's default: 700).

Most of a run's objects die young, by reference count; with room for 5,000 of them between
passes, fewer survive into the older generations to be walked again (the run's collections:
0.50 s of CPU at 700, 0.33 s at 5,000, 0.35 s at 10,000; peak memory 134 vs 136 MB).
"""


class LongLivedHeap:
    """A pytest plugin object for the CLI's run: fewer collections of the youngest generation.

    The start-up heap itself is frozen once collection has finished by the pytest plugin
    (``conformance.plugin.run_end.RunEnd.pytest_collection_finish``), for every session that
    collected scenarios, the CLI's among them; garbage cycles made before that freeze stay
    uncollected (imports and collection make few), and the process exits at the end of the run.
    """

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self) -> None:
        """Collect the youngest generation every ``YOUNG_THRESHOLD`` allocations, from start-up on."""
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)
