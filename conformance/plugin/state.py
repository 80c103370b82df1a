"""Per-session state of the plugin, kept in the pytest config stash."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from conformance.checks import Verifier
from conformance.reporting import TestOutcome
from conformance.targets import TargetConfig
from conformance.targets.card_paths import CardPaths


def utc_now() -> str:
    """Return the current UTC time in ISO 8601 with a Z suffix."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class SessionState:
    """What one pytest session of the suite accumulates."""

    started: str = field(default_factory=utc_now)
    run_id: str = field(default_factory=lambda: secrets.token_hex(6))
    key_nonce: str = field(default_factory=lambda: secrets.token_hex(4))
    """Random per run (never seeded): two runs with one seed on one target must not share idempotency keys."""
    target: TargetConfig | None = None
    outcomes: list[TestOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    setup: dict[str, Any] | None = None
    """The card-creation probe's ``CardPaths.record()`` (made once, by the controller), or None before it."""
    deadline: float | None = None
    """The ``time.monotonic()`` instant after which no further scenario starts (``--stripe-deadline``)."""


STATE_KEY = pytest.StashKey[SessionState]()
VERIFIER_KEY = pytest.StashKey[Verifier]()
CARD_PATHS_KEY = pytest.StashKey[CardPaths]()
PHASES_KEY = pytest.StashKey[dict[str, pytest.TestReport]]()
