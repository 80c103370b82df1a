"""The result model: what one test did, and what a run found per requirement."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.requirements import Requirement

STATUSES = (
    "passed",
    "failed",
    "skipped",
    "xfailed",
    "error",
    "not_assessed",
    "blocked",
    "unsupported",
    "not_run",
)
"""Every status a requirement can end with.

- ``passed``: at least one check observed a real answer and none failed.
- ``failed``: a check observed an answer that violates the requirement.
- ``xfailed``: failed, as an expectation (profile or ``--expect`` file) says it does.
- ``error``: the suite itself broke while checking it (a bug of ours or a broken input), never a setup failure.
- ``not_assessed``: its scenario ran, but no check observed anything for it (the reason says why).
- ``blocked``: a shared precondition failed; ``blocked_by`` names that root cause, reported once.
- ``unsupported``: the target lacks the route or feature (a Stripe-shaped 404, or the profile does not claim it).
- ``not_run``: never started: deselected, a shard, a deadline or an interrupt (the reason says which).
- ``skipped``: an expectation file says to skip it.
"""

RUN_OUTCOMES = ("completed", "interrupted", "terminated", "deadline", "max_failures", "incomplete")
"""How a run ended.

- ``completed``: every selected scenario ran.
- ``interrupted`` / ``terminated``: SIGINT / SIGTERM stopped it; what had not run is ``not_run``.
- ``deadline``: ``--deadline`` passed; the scenarios not started are ``not_run``.
- ``max_failures``: ``--max-failures`` failed requirements were reached and the run stopped there.
- ``incomplete``: a merge of shard reports in which some shards are missing.
"""

VERDICT_CONFORMS = "CONFORMS"
VERDICT_NONCONFORMING = "DOES NOT CONFORM"
VERDICT_INCOMPLETE = "INCOMPLETE"
VERDICT_PARTIAL = "PARTIAL"
VERDICTS = (VERDICT_CONFORMS, VERDICT_NONCONFORMING, VERDICT_INCOMPLETE, VERDICT_PARTIAL)
"""A run's verdict: only a whole, completed run can conform.

``INCOMPLETE``: the run ended early (interrupt, deadline) or requirements were not run;
``PARTIAL``: nothing failed in a part of the run (one shard, a replay of a subset recording, or a
selection that leaves catalogue requirements out: ``-k``, ``-m``, ``--fuzz-examples 0``), which
says nothing about the rest; merge the shards, or run the whole catalogue, to get the whole verdict.
"""

NOT_ASSESSED_STATUSES = ("not_assessed", "blocked", "unsupported", "not_run", "skipped")
"""Statuses that carry no observation: they neither pass nor fail a requirement."""

FAILING_STATUSES = ("failed", "error")
"""Statuses that make a run not conform."""


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """One scenario's outcome as the front-end saw it; failures are ``Failure.to_dict()`` records.

    Plain data throughout, so an outcome crosses process boundaries (pytest-xdist workers) as JSON.
    """

    __test__ = False  # not a pytest test class, despite the name

    nodeid: str
    cited: tuple[str, ...]
    outcome: str
    """passed, failed, skipped, error, or blocked / unsupported (the scenario raised ``Blocked`` / ``Unsupported``)."""
    passed_checks: tuple[str, ...] = ()
    failures: tuple[dict[str, Any], ...] = ()
    detail: str | None = None
    duration: float = 0.0
    root_cause: dict[str, Any] | None = None
    """For blocked / unsupported: ``{"id": precondition or feature, "reason": sentence, "evidence": {...} | None}``."""
    observations: dict[str, int] = field(default_factory=dict)
    """Per requirement, how many of its checks ran against a real answer and held (absent: one per passed check)."""
    unassessed: dict[str, str] = field(default_factory=dict)
    """Per cited requirement no check observed, the sentence saying why (route missing, budget spent...)."""
    requests: int = 0
    """Requests the scenario put on the wire, setup, retries and teardown included."""
    rate_limited: int = 0
    """Of those, how many the target answered ``429``."""

    def held(self, requirement_id: str) -> int:
        """Return how many checks of ``requirement_id`` held in this test (0: never observed)."""
        if requirement_id in self.observations:
            return self.observations[requirement_id]
        return 1 if requirement_id in self.passed_checks else 0

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "nodeid": self.nodeid,
            "cited": list(self.cited),
            "outcome": self.outcome,
            "passed_checks": list(self.passed_checks),
            "failures": list(self.failures),
            "detail": self.detail,
            "duration": self.duration,
            "root_cause": self.root_cause,
            "observations": dict(self.observations),
            "unassessed": dict(self.unassessed),
            "requests": self.requests,
            "rate_limited": self.rate_limited,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestOutcome:
        """Rebuild an outcome from ``to_dict()`` output."""
        return cls(
            nodeid=data["nodeid"],
            cited=tuple(data["cited"]),
            outcome=data["outcome"],
            passed_checks=tuple(data["passed_checks"]),
            failures=tuple(data["failures"]),
            detail=data["detail"],
            duration=data["duration"],
            root_cause=data.get("root_cause"),
            observations=dict(data.get("observations") or {}),
            unassessed=dict(data.get("unassessed") or {}),
            requests=int(data.get("requests") or 0),
            rate_limited=int(data.get("rate_limited") or 0),
        )


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """The verdict on one requirement, with the failures and scenarios behind it."""

    id: str
    area: str
    level: str
    title: str
    source: str
    status: str
    failures: tuple[dict[str, Any], ...] = ()
    tests: tuple[str, ...] = ()
    reason: str | None = None
    duration: float = 0.0
    expectation: dict[str, Any] | None = None
    """The expectation applied to this result (with the ``observed`` status), if any."""
    observations: int = 0
    """How many checks of this requirement ran against a real answer (held or failed), over all tests."""
    blocked_by: str | None = None
    """For ``blocked`` / ``unsupported``: the id of the root cause (``RunReport.root_causes``)."""
    evidence: tuple[dict[str, str], ...] = ()
    """How we know: the catalogue's ``{kind, ref}`` evidence entries."""

    @classmethod
    def of(cls, requirement: Requirement, status: str, **fields: Any) -> RequirementResult:
        """Return ``requirement``'s result with ``status``: catalogue fields copied, the rest from ``fields``."""
        return cls(
            id=requirement.id,
            area=requirement.area,
            level=requirement.level,
            title=requirement.title,
            source=requirement.source,
            status=status,
            evidence=tuple(item.to_dict() for item in requirement.evidence),
            **fields,
        )

    @property
    def gating(self) -> bool:
        """Tell whether this result alone keeps a run from conforming (without ``--strict``): see ``gates``."""
        return gates(self.level, self.status, self.expectation)

    @property
    def warning(self) -> bool:
        """Tell whether this result is a SHOULD that failed (or broke): reported, gating only with ``--strict``."""
        return self.status in FAILING_STATUSES and not self.gating

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form (``expectation`` only when one was applied)."""
        data: dict[str, Any] = {
            "id": self.id,
            "area": self.area,
            "level": self.level,
            "evidence": [dict(item) for item in self.evidence],
            "title": self.title,
            "source": self.source,
            "status": self.status,
            "observations": self.observations,
            "blocked_by": self.blocked_by,
            "reason": self.reason,
            "tests": list(self.tests),
            "duration": round(self.duration, 4),
            "failures": list(self.failures),
        }
        if self.expectation is not None:
            data["expectation"] = self.expectation
        return data


@dataclass(frozen=True, slots=True)
class RootCause:
    """One failed precondition or missing feature, reported once, with the requirements it kept from a verdict."""

    id: str
    kind: str
    """``blocked`` (a precondition failed) or ``unsupported`` (the target lacks the route or feature)."""
    reason: str
    evidence: dict[str, Any] | None = None
    requirements: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "reason": self.reason,
            "requirements": list(self.requirements),
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class TargetInfo:
    """The target as a report shows it: URL without credentials, API version, profile name."""

    url: str
    stripe_version: str
    name: str = "custom"


@dataclass(frozen=True, slots=True)
class RunReport:
    """A whole run: tool, target, timing, and one result per exercised requirement."""

    tool_version: str
    target: TargetInfo
    started: str
    finished: str
    requirements: tuple[RequirementResult, ...]
    errors: tuple[str, ...] = field(default=())
    expectations: tuple[str, ...] = field(default=())
    """The expectations files (or target profiles) applied to the results."""
    setup: dict[str, Any] | None = None
    """How the run set the target up: the card-creation path used, the attempts, or the root cause."""
    root_causes: tuple[RootCause, ...] = field(default=())
    """Each failed precondition or missing feature once, with the requirements it blocked (shown first)."""
    outcome: str = "completed"
    """How the run ended (``RUN_OUTCOMES``): a run that did not complete never conforms."""
    selection: dict[str, Any] = field(default_factory=dict)
    """What the run was asked to run (``conformance.selection.record``): shard, -k, -m, fuzz budget, seed."""
    teardown_failures: tuple[dict[str, Any], ...] = field(default=())
    """Objects the run created and could not delete: ``{"type", "id", "status"}``."""
    scenarios: tuple[TestOutcome, ...] = field(default=())
    """The scenario outcomes behind the results, so that shard reports can be merged exactly."""
    strict: bool = False
    """``--strict``: a failed SHOULD fails the run too (otherwise it is a warning)."""
    requests_outside: int = 0
    """Requests sent outside every scenario: the preflight, the setup probe, the run's last clean-up."""
    rate_limited_outside: int = 0
    """Of those, how many were answered ``429``."""

    @property
    def summary(self) -> dict[str, int]:
        """Count requirements per status (every status present, zero or not), plus the SHOULD warnings."""
        counts = Counter(r.status for r in self.requirements)
        return (
            {status: counts.get(status, 0) for status in STATUSES}
            | {"total": len(self.requirements)}
            | {"warnings": len(self.warnings)}
        )

    @property
    def traffic(self) -> dict[str, int]:
        """Count the requests the run sent, and the ``429`` answers among them: in scenarios and in all."""
        in_scenarios = sum(o.requests for o in self.scenarios)
        limited = sum(o.rate_limited for o in self.scenarios)
        return {
            "requests": in_scenarios + self.requests_outside,
            "rate_limited": limited + self.rate_limited_outside,
            "in_scenarios": in_scenarios,
            "outside_scenarios": self.requests_outside,
        }

    @property
    def warnings(self) -> tuple[RequirementResult, ...]:
        """The failed SHOULD requirements: reported, and gating only under ``strict``."""
        return tuple(r for r in self.requirements if r.warning)

    @property
    def conforms(self) -> bool:
        """True only for a whole, completed run in which every assessed MUST held and no run error occurred.

        A failed SHOULD is a warning and does not count, unless the run is ``strict``. A requirement
        that was not assessed (``not_assessed``, ``blocked``, ``unsupported``, ``skipped``) neither
        passes nor fails the gate by itself: it carries no observation. The reports list it, and its
        root cause, so that nobody reads it as a pass. A requirement ``not_run`` in a whole run means
        the run ended early: the verdict is INCOMPLETE.
        """
        return self.verdict == VERDICT_CONFORMS

    @property
    def verdict(self) -> str:
        """The run's verdict (``VERDICTS``): a finding beats an incomplete run, which beats a partial one.

        A finding is a gating result (a failed MUST, or an expectation that did not hold) or, under
        ``strict``, a failed SHOULD too; without ``strict`` a failed SHOULD is only a warning.
        """
        if self.findings or self.outcome == "max_failures":
            return VERDICT_NONCONFORMING
        partial = bool(
            self.selection.get("shard") or self.selection.get("not_recorded") or self.selection.get("left_out")
        )
        if self.outcome != "completed" or (not partial and any(r.status == "not_run" for r in self.requirements)):
            return VERDICT_INCOMPLETE
        if self.errors:
            return VERDICT_NONCONFORMING
        if partial:
            return VERDICT_PARTIAL
        return VERDICT_CONFORMS

    @property
    def findings(self) -> tuple[RequirementResult, ...]:
        """The results that keep this run from conforming: gating ones, and the warnings under ``strict``."""
        return tuple(r for r in self.requirements if r.gating or (self.strict and r.warning))

    def by_area(self) -> dict[str, Counter[str]]:
        """Count statuses per area, areas in first-seen order."""
        areas: dict[str, Counter[str]] = {}
        for result in self.requirements:
            areas.setdefault(result.area, Counter())[result.status] += 1
        return areas


def gates(level: str, status: str, expectation: Mapping[str, Any] | None = None) -> bool:
    """Tell whether a requirement result alone keeps a run from conforming (without ``--strict``).

    A failed or broken MUST does. A failed SHOULD is a warning, except when its status comes from
    an expectation that did not hold (an unexpected pass), which gates whatever the level.
    """
    if status not in FAILING_STATUSES:
        return False
    unexpected_pass = status == "failed" and expectation is not None and expectation.get("observed") == "passed"
    return level == "MUST" or unexpected_pass


def is_warning(result: Mapping[str, Any]) -> bool:
    """Tell whether a ``report.json`` requirement entry is a SHOULD warning (``RequirementResult.warning``)."""
    status = str(result.get("status"))
    return status in FAILING_STATUSES and not gates(str(result.get("level")), status, result.get("expectation"))


def is_finding(result: Mapping[str, Any], strict: bool) -> bool:
    """Tell whether a ``report.json`` requirement entry keeps its run from conforming (``RunReport.findings``)."""
    status = str(result.get("status"))
    return gates(str(result.get("level")), status, result.get("expectation")) or (strict and is_warning(result))
