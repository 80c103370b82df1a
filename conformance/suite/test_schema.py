"""Every kind of body the card endpoints answer validates against the schema of its object."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires


@requires(
    "schema.card", "schema.customer", "schema.list", "schema.deleted-card", "schema.error", "schema.fixture-fields"
)
@pytest.mark.needs_feature("list_cards")
def test_bodies_validate_against_their_schemas(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    if not check.validates_schemas:
        pytest.skip("no schema registry is available to validate bodies")
    base = f"/v1/customers/{customer}"
    created = stripe_client.post(f"{base}/sources", {"source": "tok_visa"})
    card = check.status(created, 200, req="schema.card")
    path = f"{base}/sources/{card['id']}"
    updated = stripe_client.post(path, {"name": "Schema Check", "address_zip": "94107"})
    retrieved = stripe_client.get(path)
    plain = stripe_client.get(base)
    expanded = stripe_client.get(base, {"expand": ["sources"]})
    listed = stripe_client.get(f"{base}/cards")
    deleted = stripe_client.delete(path)
    missing = stripe_client.get(path)
    refused = stripe_client.get(f"{base}/cards", {"limit": 0})
    with check.soft():
        for response in (created, updated, retrieved):
            check.schema(response, req="schema.card")
        for response in (plain, expanded):
            check.schema(response, req="schema.customer")
        check.schema(listed, req="schema.list")
        check.schema(deleted, req="schema.deleted-card")
        for response in (missing, refused):
            check.schema(response, req="schema.error")
        # Fields the spec leaves optional but Stripe's official fixtures always carry: a SHOULD.
        for response in (created, updated, retrieved, plain, expanded, listed):
            check.present(response, req="schema.fixture-fields")
