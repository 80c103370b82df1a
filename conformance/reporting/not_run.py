"""Requirements a run never reached: listed as ``not_run`` with the reason, never silently dropped."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from conformance.reporting.model import RequirementResult, RunReport, TargetInfo
from conformance.requirements import Catalogue, load_catalogue

UNOBSERVED = "not_assessed"
"""The status of a requirement the scenarios that ran cite but observed nothing of."""


@dataclass(frozen=True, slots=True)
class NotRun:
    """A scenario that never ran (or every requirement of a run that never started): what it cites, and why."""

    nodeid: str
    cited: tuple[str, ...]
    reason: str
    cut_short: bool = True
    """The run ended before it (a stop, a deadline, a missing shard), so what the scenarios that ran did not
    observe was this one's to judge; False for a scenario a replay's cassette set never recorded."""


def add_not_run(
    results: Iterable[RequirementResult], pending: Iterable[NotRun], catalogue: Catalogue
) -> tuple[RequirementResult, ...]:
    """Return ``results`` plus a ``not_run`` result for each requirement only ``pending`` scenarios could assess.

    A requirement that some scenario did assess (passed, failed, blocked...) keeps its result; the
    run's outcome says that it ended early. One the scenarios that ran cite but observed nothing of
    (``not_assessed``) is ``not_run`` too when a scenario the run was cut short before cites it: the
    stop, not the target, left it unjudged. The results come back in catalogue order.
    """
    known = {result.id: result for result in results}
    reasons: dict[str, list[str]] = {}
    tests: dict[str, list[str]] = {}
    for item in pending:
        for requirement_id in item.cited:
            if requirement_id in known and not (item.cut_short and known[requirement_id].status == UNOBSERVED):
                continue
            if item.reason not in reasons.setdefault(requirement_id, []):
                reasons[requirement_id].append(item.reason)
            if item.nodeid and item.nodeid not in tests.setdefault(requirement_id, []):
                tests[requirement_id].append(item.nodeid)
    ordered: list[RequirementResult] = []
    for requirement in catalogue:
        if requirement.id in reasons:
            ran = known[requirement.id].tests if requirement.id in known else ()
            ordered.append(
                RequirementResult.of(
                    requirement,
                    "not_run",
                    tests=(*ran, *(t for t in tests.get(requirement.id, ()) if t not in ran)),
                    reason="; ".join(reasons[requirement.id]),
                )
            )
        elif requirement.id in known:
            ordered.append(known[requirement.id])
    return tuple(ordered)


def everything_not_run(catalogue: Catalogue, reason: str, selected: Iterable[str] | None = None) -> tuple[NotRun, ...]:
    """One pending entry covering ``selected`` requirement IDs (default: the whole catalogue)."""
    ids = tuple(selected) if selected is not None else tuple(r.id for r in catalogue)
    return (NotRun("", ids, reason),)


def unstarted_report(
    target: TargetInfo,
    *,
    outcome: str,
    reason: str,
    selection: dict[str, Any],
    tool_version: str,
    started: str,
    requests_outside: int = 0,
    rate_limited_outside: int = 0,
) -> RunReport:
    """The report of a run stopped before any scenario started: every requirement ``not_run`` with ``reason``.

    ``requests_outside`` (``rate_limited_outside`` of them answered ``429``) is what the run had
    sent by then: its preflight, say.
    """
    catalogue = load_catalogue()
    selected = selection.get("requirements") or None
    return RunReport(
        tool_version=tool_version,
        target=target,
        started=started,
        finished=utc_timestamp(),
        requirements=add_not_run((), everything_not_run(catalogue, reason, selected), catalogue),
        outcome=outcome,
        selection=selection,
        requests_outside=requests_outside,
        rate_limited_outside=rate_limited_outside,
    )


def utc_timestamp() -> str:
    """The current UTC time as the reports write it."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
