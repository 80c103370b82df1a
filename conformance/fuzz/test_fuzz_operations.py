"""Every operation of the surface, fuzzed on its own: generated valid and invalid calls, injected faults."""

from __future__ import annotations

import pytest

from conformance.fuzz.fixtures import fuzz_budget, fuzz_session, fuzz_surface
from conformance.fuzz.surface import OperationRef, load_surface, operations
from conformance.suite.cite import requires

__all__ = ["fuzz_budget", "fuzz_session", "fuzz_surface"]

OPERATIONS = operations(load_surface())


@pytest.mark.fuzz
@requires(
    "fuzz.no-server-error",
    "fuzz.response-schema",
    "fuzz.error-envelope",
    "fuzz.negative-rejected",
    "fuzz.positive-accepted",
    "fuzz.update-applies",
    "fuzz.update-read-back",
    "fuzz.refused-changes-nothing",
    "fuzz.list-contract",
)
@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
def test_fuzz_operation(fuzz_session: object, operation: OperationRef) -> None:
    """Generated calls to one operation: no 5xx, Stripe's envelope, schema-valid answers, bad data refused."""
    from conformance.fuzz.outcome import raise_failures
    from conformance.fuzz.stateless import fuzz_operation

    raise_failures(fuzz_operation(fuzz_session, operation), fuzz_session)  # type: ignore[arg-type]
