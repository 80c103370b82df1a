"""Every operation of the surface, fuzzed on its own: generated valid and invalid calls, injected faults."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.fuzz.features import features_of
from conformance.fuzz.surface import OperationRef, surface_operations
from conformance.suite.cite import requires

OPERATIONS = [
    pytest.param(op, id=op.operation_id, marks=[pytest.mark.needs_feature(*features_of(op.operation_id))])
    if features_of(op.operation_id)
    else pytest.param(op, id=op.operation_id)
    for op in surface_operations()
]


@pytest.mark.fuzz
@requires(
    "fuzz.no-server-error",
    "fuzz.response-schema",
    "fuzz.error-envelope",
    "fuzz.error-param-card-fields",
    "fuzz.negative-rejected",
    "fuzz.positive-accepted",
    "fuzz.update-applies",
    "fuzz.update-read-back",
    "fuzz.refused-changes-nothing",
    "fuzz.list-contract",
    "fuzz.deleted-stays-deleted",
    "fuzz.use-after-free",
    "fuzz.webhook-secret-once",
    "fuzz.default-source-live",
    "fuzz.default-source-rules",
    "fuzz.create-read-back",
    "fuzz.resource-available",
    "fuzz.forwarding-once-per-key",
)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_fuzz_operation(fuzz_session: object, check: Verifier, operation: OperationRef) -> None:
    """Generated calls to one operation: no 5xx, Stripe's envelope, schema-valid answers, bad data refused."""
    from conformance.fuzz.outcome import settle
    from conformance.fuzz.stateless import fuzz_operation

    settle(fuzz_operation(fuzz_session, operation), fuzz_session, check)  # type: ignore[arg-type]
