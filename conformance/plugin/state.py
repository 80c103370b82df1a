"""Per-session state of the plugin, kept in the pytest config stash."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.checks import Verifier
from conformance.http.traffic import Traffic, traffic_so_far
from conformance.recording.seeds import new_key_nonce
from conformance.reporting import TestOutcome
from conformance.reporting.not_run import NotRun
from conformance.targets import TargetConfig
from conformance.targets.card_paths import CardPaths
from conformance.targets.ledger import RunLedger


def utc_now() -> str:
    """Return the current UTC time in ISO 8601 with a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class SessionState:
    """What one pytest session of the suite accumulates."""

    started: str = field(default_factory=utc_now)
    run_id: str = field(default_factory=lambda: secrets.token_hex(6))
    key_nonce: str = field(default_factory=new_key_nonce)
    """Random per run (never seeded): two runs with one seed on one target must not share idempotency keys."""
    target: TargetConfig | None = None
    outcomes: list[TestOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    setup: dict[str, Any] | None = None
    """The card-creation probe's ``CardPaths.record()`` (made once, by the controller), or None before it."""
    deadline: float | None = None
    """The ``time.monotonic()`` instant after which no further scenario starts (``--stripe-deadline``)."""
    outcome: str = "completed"
    """How the run ended (``conformance.reporting.model.RUN_OUTCOMES``), settled at session finish."""
    pending: list[NotRun] = field(default_factory=list)
    """Selected scenarios that never ran (interrupt, deadline, --max-failures, not recorded)."""
    selected_requirements: set[str] = field(default_factory=set)
    """Requirement IDs cited by the whole selection, before this run's shard was kept."""
    not_recorded: set[str] = field(default_factory=set)
    """Requirement IDs a replay was asked for that its cassette set never recorded."""
    selection: dict[str, Any] = field(default_factory=dict)
    teardown_failures: list[dict[str, Any]] = field(default_factory=list)
    input_error: str | None = None
    """Set when a broken input stopped the run before any verdict (exit 2, no report)."""
    ledger: RunLedger | None = None
    """What this process created on the target (``conformance.targets.ledger``), made with the first transport."""
    rate_slots: str | None = None
    """Under pytest-xdist: the file of the one rate limiter all the run's processes share (``SharedRateLimiter``)."""
    traffic_since: Traffic = field(default_factory=traffic_so_far)
    """This process's count when the run started (the front-end's, before its preflight, when it gives one)."""
    in_scenarios: Traffic = field(default_factory=Traffic)
    """What this process's scenarios sent, each counted from its setup to its teardown."""
    workers_outside: Traffic = field(default_factory=Traffic)
    """Under pytest-xdist, on the controller: what the finished workers sent outside their scenarios."""

    def outside_scenarios(self) -> Traffic:
        """Return what the run sent outside every scenario: this process's rest, and the workers'."""
        return traffic_so_far() - self.traffic_since - self.in_scenarios + self.workers_outside

    def unrecorded(self) -> set[str]:
        """Requirement IDs a replay was asked for that no recorded scenario assessed."""
        assessed = {rid for o in self.outcomes for rid in (*o.cited, *o.passed_checks)}
        assessed |= {str(f["requirement_id"]) for o in self.outcomes for f in o.failures}
        return self.not_recorded - assessed


STATE_KEY = pytest.StashKey[SessionState]()
VERIFIER_KEY = pytest.StashKey[Verifier]()
CARD_PATHS_KEY = pytest.StashKey[CardPaths]()
PHASES_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()
