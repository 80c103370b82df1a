"""Scenario fixtures: an isolated, run-tagged customer per scenario, removed whatever happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.http import StripeClient
from conformance.suite.objects import CustomerFactory


@pytest.fixture
def customers(stripe_client: StripeClient, stripe_run_id: str) -> Iterator[CustomerFactory]:
    """Make customers tagged with the run id; delete every one of them at teardown.

    Cleanup deletes whole customers, never single cards, so a target whose card deletion is
    broken still leaves nothing behind.
    """
    factory = CustomerFactory(stripe_client, stripe_run_id)
    try:
        yield factory
    finally:
        factory.delete_all()


@pytest.fixture
def customer(customers: CustomerFactory) -> str:
    """The id of a fresh customer with no sources."""
    return customers.create()


@pytest.fixture
def add_card(stripe_client: StripeClient) -> Callable[..., dict[str, object]]:
    """Attach a test-token card to a customer and return the card (setup, not under test)."""

    def attach(customer_id: str, token: str = "tok_visa", **params: object) -> dict[str, object]:
        response = stripe_client.post(f"/v1/customers/{customer_id}/sources", {"source": token, **params})
        body = response.json()
        if response.status != 200 or not isinstance(body, dict) or "id" not in body:
            pytest.fail(f"setup: attaching {token} failed: HTTP {response.status} {response.text[:200]}")
        return body

    return attach
