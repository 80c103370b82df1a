"""Fold per-test outcomes into one verdict per requirement, computed from what was observed.

A requirement passes only when at least one of its checks ran against a real answer and none
failed. A requirement that no check observed is never passed: it is ``blocked`` (a shared
precondition failed: the root cause is named), ``unsupported`` (the target lacks the route or
feature), ``not_run`` (never started) or ``not_assessed`` (its scenario ran but did not reach a
check for it), each with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from conformance.reporting.model import RequirementResult, RootCause, TestOutcome
from conformance.requirements import Catalogue

PRECEDENCE = {
    "failed": 8,
    "error": 7,
    "passed": 6,
    "unsupported": 5,
    "blocked": 4,
    "not_assessed": 3,
    "not_run": 2,
    "skipped": 1,
}
"""Across tests the highest wins: a failure anywhere fails; one observed pass beats any not-assessed status."""

NOT_RUN_PREFIX = "not run"
"""A scenario skipped with a reason starting so never started (deadline, shard, interrupt)."""
UNCLAIMED_MARK = "does not claim"
"""Part of the reason a profile gives for a feature it does not claim (``TargetProfile.skip_reason``)."""


@dataclass
class _Tally:
    status: str | None = None
    failures: list[dict[str, object]] = field(default_factory=list)
    tests: list[str] = field(default_factory=list)
    reasons: dict[str, list[str]] = field(default_factory=dict)
    causes: dict[str, str] = field(default_factory=dict)
    observations: int = 0
    duration: float = 0.0

    def add(
        self,
        status: str,
        nodeid: str,
        duration: float,
        reason: str | None = None,
        cause: str | None = None,
    ) -> None:
        if self.status is None or PRECEDENCE[status] > PRECEDENCE[self.status]:
            self.status = status
        if nodeid not in self.tests:
            self.tests.append(nodeid)
            self.duration += duration
        reasons = self.reasons.setdefault(status, [])
        if reason and reason not in reasons:
            reasons.append(reason)
        if cause:
            self.causes.setdefault(status, cause)

    def result_fields(self) -> tuple[str, str | None, str | None]:
        status = self.status or "not_assessed"
        return status, "; ".join(self.reasons.get(status, ())) or None, self.causes.get(status)


def aggregate(outcomes: Iterable[TestOutcome], catalogue: Catalogue) -> tuple[RequirementResult, ...]:
    """Return one result per requirement that a test cited or a check named, in catalogue order.

    Per test: a requirement with a failed check failed; one with at least one held check and no
    failure passed; one without any observation is blocked / unsupported when the test raised
    that, ``not_assessed`` when it ran (the test's own reason, or "not reached" when it stopped
    at another requirement's failure), ``not_run`` or ``unsupported`` when it was skipped before
    starting, and ``error`` when the test crashed. Across tests the highest of ``PRECEDENCE`` wins.
    """
    tallies: dict[str, _Tally] = {}
    for outcome in outcomes:
        failed_ids = {str(f["requirement_id"]) for f in outcome.failures}
        for failure in outcome.failures:
            tally = tallies.setdefault(str(failure["requirement_id"]), _Tally())
            tally.add("failed", outcome.nodeid, outcome.duration)
            tally.failures.append(failure | {"test": outcome.nodeid})
            tally.observations += 1
        for requirement_id in dict.fromkeys((*outcome.cited, *outcome.passed_checks, *outcome.observations)):
            tally = tallies.setdefault(requirement_id, _Tally())
            held = outcome.held(requirement_id)
            tally.observations += held
            if requirement_id in failed_ids:
                continue
            if held:
                tally.add("passed", outcome.nodeid, outcome.duration)
                continue
            status, reason, cause = _unobserved(outcome, requirement_id, bool(failed_ids))
            tally.add(status, outcome.nodeid, outcome.duration, reason, cause)
    results = []
    for requirement in catalogue:
        verdict = tallies.get(requirement.id)
        if verdict is None:
            continue
        status, reason, cause = verdict.result_fields()
        results.append(
            RequirementResult.of(
                requirement,
                status,
                failures=tuple(verdict.failures),
                tests=tuple(verdict.tests),
                reason=reason,
                duration=verdict.duration,
                observations=verdict.observations,
                blocked_by=cause,
            )
        )
    return tuple(results)


def root_causes(outcomes: Iterable[TestOutcome], results: Sequence[RequirementResult]) -> tuple[RootCause, ...]:
    """Return each root cause the tests raised once, with the requirements it left blocked or unsupported.

    The first test to raise a cause gives its reason and evidence; a cause every requirement of
    which was assessed elsewhere is still listed (it happened), with no requirement.
    """
    seen: dict[str, RootCause] = {}
    for outcome in outcomes:
        raised = outcome.root_cause
        if outcome.outcome not in ("blocked", "unsupported") or not raised or not raised.get("id"):
            continue
        cause_id = str(raised["id"])
        if cause_id not in seen:
            reason = str(raised.get("reason") or outcome.detail or outcome.outcome)
            seen[cause_id] = RootCause(cause_id, outcome.outcome, reason, raised.get("evidence"))
    found = []
    for cause_id, cause in seen.items():
        blocked = tuple(
            r.id for r in results if r.blocked_by == cause_id and r.status in ("blocked", "unsupported")
        )
        found.append(RootCause(cause.id, cause.kind, cause.reason, cause.evidence, blocked))
    return tuple(found)


def _unobserved(outcome: TestOutcome, requirement_id: str, other_failed: bool) -> tuple[str, str | None, str | None]:
    """Status, reason and root cause of a requirement the test cited but no check of it observed."""
    if outcome.outcome in ("blocked", "unsupported"):
        cause = outcome.root_cause or {}
        reason = cause.get("reason") or outcome.detail
        return outcome.outcome, str(reason) if reason else None, str(cause["id"]) if cause.get("id") else None
    if requirement_id in outcome.unassessed:
        return "not_assessed", outcome.unassessed[requirement_id], None
    if outcome.outcome == "skipped":
        detail = outcome.detail or "skipped"
        if detail.startswith(NOT_RUN_PREFIX):
            return "not_run", detail, None
        if UNCLAIMED_MARK in detail:
            return "unsupported", detail, None
        return "not_assessed", detail, None
    if outcome.outcome == "passed":
        reason = f"not observed: {outcome.nodeid} ran, but no check of this requirement saw an answer"
        return "not_assessed", reason, None
    if other_failed:
        return "not_assessed", f"not reached: {outcome.nodeid} stopped at another requirement's failure", None
    return "error", outcome.detail, None
