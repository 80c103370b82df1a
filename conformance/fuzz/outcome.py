"""Turning a finished Hypothesis run into the suite's failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from hypothesis.errors import FlakyFailure, FlakyReplay

from conformance.checks import ConformanceError, Failure

if TYPE_CHECKING:
    from conformance.fuzz.session import FuzzSession


def collect_failures(run: Callable[[], None]) -> list[Failure]:
    """Run a Hypothesis test and return the failures of its final (shortest) example.

    A failure that did not reproduce when Hypothesis replayed it (the target's state moved on)
    is still reported, from the run that saw it.
    """
    try:
        run()
    except ConformanceError as error:
        return list(error.failures)
    except (FlakyFailure, FlakyReplay, BaseExceptionGroup) as group:
        failures = _failures_in(group)
        if failures:
            return failures
        raise
    return []


def _failures_in(error: BaseException) -> list[Failure]:
    if isinstance(error, ConformanceError):
        return list(error.failures)
    if isinstance(error, BaseExceptionGroup):
        return [failure for inner in error.exceptions for failure in _failures_in(inner)]
    return []


def raise_failures(failures: list[Failure], session: FuzzSession) -> None:
    """Raise the failures of a fuzz test, their reproduction naming the run's seed."""
    if not failures:
        return
    note = f"# found with seed {session.budget.seed}: stripe-conformance run --seed {session.budget.seed}"
    raise ConformanceError(
        [dataclasses.replace(f, curl=f"{note}\n{f.curl}" if f.curl else note) for f in failures]
    )
