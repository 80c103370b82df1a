"""The stateful scenario: linked calls on cards, webhook endpoints, onramp sessions, forwarding requests."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.suite.cite import requires


@pytest.mark.fuzz
@pytest.mark.runs_first
@requires(
    "fuzz.no-server-error",
    "fuzz.response-schema",
    "fuzz.error-envelope",
    "fuzz.error-param-card-fields",
    "fuzz.positive-accepted",
    "fuzz.use-after-free",
    "fuzz.resource-available",
    "fuzz.default-source-live",
    "fuzz.default-source-rules",
    "fuzz.deleted-stays-deleted",
    "fuzz.list-contract",
    "fuzz.update-applies",
    "fuzz.update-read-back",
    "fuzz.refused-changes-nothing",
    "fuzz.webhook-secret-once",
    "fuzz.create-read-back",
    "fuzz.forwarding-once-per-key",
)
def test_fuzz_stateful_scenarios(part: int, fuzz_session: object, check: Verifier) -> None:
    """Create, attach, update, list, delete in generated orders; default_source, lists and reads stay consistent.

    The budget's scenarios are split into parts (``part``, parametrized by the fuzz package's conftest
    from the budget), each its own test with its own seed, so that concurrent processes share them; a
    requirement passes on the parts that observed it.
    """
    from conformance.fuzz.machine import run_machine_part
    from conformance.fuzz.outcome import settle

    settle(run_machine_part(fuzz_session, part), fuzz_session, check)  # type: ignore[arg-type]
