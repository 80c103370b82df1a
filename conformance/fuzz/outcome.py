"""Turning a finished Hypothesis run into the suite's failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from hypothesis.errors import FlakyFailure, FlakyReplay

from conformance.checks import ConformanceError, Failure, Verifier

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


def settle(failures: list[Failure], session: FuzzSession, verifier: Verifier) -> None:
    """End a fuzz test: raise what it found, known deviations included; record what held.

    A test that ran its whole budget without an unexpected finding checked every requirement it
    cites on every example: those without a noted finding held. A test stopped by an unexpected
    finding, or cut short by the target (``session.stopped``), claims nothing for the others.
    """
    noted = session.noted()
    if session.stopped is not None:
        # Cut short without an unexpected finding: what it noted stands, nothing else is claimed.
        raise_failures(noted, session)
        pytest.skip(f"not judged: {session.stopped}")
    if not failures:
        deviating = {failure.requirement_id for failure in noted}
        for requirement_id in verifier.cited:
            if requirement_id not in deviating:
                verifier.record_pass(requirement_id)
    raise_failures([*failures, *noted], session)
