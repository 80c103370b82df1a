"""Turning a finished Hypothesis run into the suite's failures."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from hypothesis.errors import FlakyFailure, FlakyReplay

from conformance.checks import Blocked, ConformanceError, Failure, Unsupported, Verifier
from conformance.fuzz.requirement_ids import (
    CREATE_READ_BACK,
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    ERROR_ENVELOPE,
    FORWARDING_ONCE_PER_KEY,
    LIST_CONTRACT,
    NEGATIVE_REJECTED,
    POSITIVE_ACCEPTED,
    REFUSED_CHANGES_NOTHING,
    RESOURCE_AVAILABLE,
    UPDATE_APPLIES,
    UPDATE_READ_BACK,
    USE_AFTER_FREE,
    WEBHOOK_SECRET,
)

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
        cause = _precondition_in(group)
        if cause is not None:
            raise cause from None  # a setup that failed or a missing route: the root cause, not an error
        raise
    return []


def _precondition_in(error: BaseException) -> Blocked | Unsupported | None:
    if isinstance(error, Blocked | Unsupported):
        return error
    if isinstance(error, BaseExceptionGroup):
        return next((c for c in map(_precondition_in, error.exceptions) if c is not None), None)
    return None


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


UNREACHED = {
    ERROR_ENVELOPE: "no generated call was answered with a 4xx",
    NEGATIVE_REJECTED: "no generated call broke a limit the surface documents",
    POSITIVE_ACCEPTED: "no valid call was generated",
    UPDATE_APPLIES: "no update sending a comparable field was accepted",
    UPDATE_READ_BACK: "no update was accepted",
    REFUSED_CHANGES_NOTHING: "no update of an object that could be read before was refused",
    LIST_CONTRACT: "no list was read",
    USE_AFTER_FREE: "no scenario read an object after deleting it",
    RESOURCE_AVAILABLE: "no scenario addressed an object it had created",
    DEFAULT_SOURCE_LIVE: "no scenario changed the cards of a customer it had created",
    DEFAULT_SOURCE_RULES: "no scenario made a change the default-source rules decide",
    DELETED_STAYS_DELETED: "no scenario deleted a card and listed or deleted it again",
    WEBHOOK_SECRET: "no webhook endpoint was created or read",
    CREATE_READ_BACK: "no webhook endpoint, onramp session or forwarding request was created",
    FORWARDING_ONCE_PER_KEY: "no forwarding request was accepted",
}
"""Why a cited requirement got no observation when no check recorded a reason of its own."""


def settle(failures: list[Failure], session: FuzzSession, verifier: Verifier) -> None:
    """End a fuzz test: raise what it found, known deviations included; record what was observed.

    A requirement passes only on observations: at least one check of it judged a real answer
    (``session.observed``) and none failed. A cited requirement no check observed is recorded
    not assessed, with the reason its checks gave (a refused listing, a failed read) or why no
    example reached it. A test stopped by an unexpected finding claims nothing for the other
    requirements (Hypothesis reports only the last failing example; an earlier one may have
    failed another check). A test whose examples could not be set up is blocked by that cause.
    """
    noted = session.noted()
    failing = {failure.requirement_id for failure in (*failures, *noted)}
    stopped = failures and not session.blocked
    for requirement_id in verifier.cited:
        count = session.observed.count(requirement_id)
        if requirement_id in failing:
            continue
        if stopped:
            verifier.not_assessed(requirement_id, "not reached: the fuzz test stopped at another requirement's failure")
        elif count:
            verifier.record_pass(requirement_id, count)
        else:
            verifier.not_assessed(requirement_id, _unreached(requirement_id, session))
    if session.blocked is not None and not failures:
        raise_failures(noted, session)
        raise session.blocked
    if session.stopped is not None and not failures:
        # Cut short without an unexpected finding: what it noted stands, what it observed held.
        raise_failures(noted, session)
        pytest.skip(f"not judged: {session.stopped}")
    raise_failures([*failures, *noted], session)


def _unreached(requirement_id: str, session: FuzzSession) -> str:
    """The sentence saying why no check of ``requirement_id`` observed an answer."""
    if session.blocked is not None:
        return session.blocked.reason
    reason = session.observed.reason(requirement_id) or UNREACHED.get(requirement_id, "no example reached it")
    budget = f"within the budget of {session.budget.examples} example(s)"
    if session.stopped is not None:
        return f"not observed: {reason} before the test stopped ({session.stopped})"
    return f"not observed: {reason} {budget}"
