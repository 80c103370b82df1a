"""Idempotent retries: the same key replays the first answer and attaches no second card."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.checks.preconditions import route_missing, unsupported_route
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids


@requires("idempotency.replay", "idempotency.no-duplicate", "idempotency.key-reuse-mismatch")
@pytest.mark.needs_feature("list_sources")
def test_retry_with_same_key(
    stripe_client: StripeClient, customer: str, check: Verifier
) -> None:
    path = f"/v1/customers/{customer}/sources"
    key = stripe_client.fresh_idempotency_key()  # the run's key source: seed + per-run nonce
    first = stripe_client.post(path, {"source": "tok_visa"}, idempotency_key=key)
    check.status(first, 200, req="idempotency.replay")
    retry = stripe_client.post(path, {"source": "tok_visa"}, idempotency_key=key)
    check.status(retry, 200, req="idempotency.replay")
    with check.soft():
        check.equal(retry, "$.id", first.json().get("id"), req="idempotency.replay")
        check.equal(retry, "$", first.json(), req="idempotency.replay")
        listed = stripe_client.get(path, {"object": "card"})
        # Without the list route no-duplicate cannot be observed, but the mismatch still can.
        missing = unsupported_route(listed) if route_missing(listed) else None
        if missing is None:
            check.status(listed, 200, req="idempotency.no-duplicate")
            check.equal(listed, "$.data[*].id", [first.json().get("id")], actual=data_ids(listed),
                        req="idempotency.no-duplicate")
        mismatch = stripe_client.post(path, {"source": "tok_mastercard"}, idempotency_key=key)
        # The docs fix the error type, not the status (400 and 409 both fit): any 4xx with idempotency_error.
        check.error(mismatch, status=range(400, 500), type="idempotency_error", req="idempotency.key-reuse-mismatch")
    if missing is not None:
        raise missing
