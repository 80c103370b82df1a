"""Skip the garbage collections pytest runs at the end of a run, over a heap that is about to be freed.

At unconfigure pytest collects garbage (to report unraisable exceptions from finalizers), and the
interpreter collects again at exit: each pass walks every object Schemathesis, Hypothesis and the
run built (tenths of a second of CPU at the end of a default run; benchmarks/RESULTS.md). By then
the reports are written. Freezing the heap first (``gc.freeze``: existing objects move to a
generation no collection visits) makes those passes see only what is created afterwards; the
process exits next and the operating system reclaims the rest.
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
