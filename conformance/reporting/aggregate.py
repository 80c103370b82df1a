"""Fold per-test outcomes into one verdict per requirement."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from conformance.reporting.model import RequirementResult, TestOutcome
from conformance.requirements import Catalogue

_PRECEDENCE = {"failed": 4, "error": 3, "passed": 2, "skipped": 1}


@dataclass
class _Tally:
    status: str = "skipped"
    failures: list[dict[str, object]] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    duration: float = 0.0

    def add(self, status: str, nodeid: str, duration: float, reason: str | None = None) -> None:
        if _PRECEDENCE[status] > _PRECEDENCE[self.status]:
            self.status = status
        if nodeid not in self.tests:
            self.tests.append(nodeid)
            self.duration += duration
        if reason and reason not in self.reasons:
            self.reasons.append(reason)


def aggregate(outcomes: Iterable[TestOutcome], catalogue: Catalogue) -> tuple[RequirementResult, ...]:
    """Return one result per requirement that a test cited or a check named, in catalogue order.

    Per test: a requirement with a failed check failed; one whose checks passed passed; a cited
    requirement with no checks takes the test's outcome, except when the test stopped on another
    requirement's failure, where it counts as skipped (not reached). Across tests the worst wins:
    failed, then error, then passed, then skipped.
    """
    tallies: dict[str, _Tally] = {}
    for outcome in outcomes:
        failed_ids = {str(f["requirement_id"]) for f in outcome.failures}
        for failure in outcome.failures:
            tally = tallies.setdefault(str(failure["requirement_id"]), _Tally())
            tally.add("failed", outcome.nodeid, outcome.duration)
            tally.failures.append(failure | {"test": outcome.nodeid})
        for requirement_id in dict.fromkeys((*outcome.cited, *outcome.passed_checks)):
            if requirement_id in failed_ids:
                continue
            status, reason = _status_without_failure(outcome, requirement_id, bool(failed_ids))
            tallies.setdefault(requirement_id, _Tally()).add(status, outcome.nodeid, outcome.duration, reason)
    results = []
    for requirement in catalogue:
        verdict = tallies.get(requirement.id)
        if verdict is None:
            continue
        results.append(
            RequirementResult(
                id=requirement.id,
                area=requirement.area,
                level=requirement.level,
                title=requirement.title,
                source=requirement.source,
                status=verdict.status,
                failures=tuple(verdict.failures),
                tests=tuple(verdict.tests),
                reason="; ".join(verdict.reasons) or None,
                duration=verdict.duration,
            )
        )
    return tuple(results)


def _status_without_failure(
    outcome: TestOutcome, requirement_id: str, other_failed: bool
) -> tuple[str, str | None]:
    if requirement_id in outcome.passed_checks:
        return "passed", None
    if outcome.outcome == "passed":
        return "passed", None
    if outcome.outcome == "skipped":
        return "skipped", outcome.detail
    if other_failed:
        return "skipped", f"not reached: {outcome.nodeid} stopped at another requirement's failure"
    return "error", outcome.detail
