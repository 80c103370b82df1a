"""Scenario fixtures: an isolated, run-tagged customer per scenario, removed whatever happens."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from conformance.http import StripeClient
from conformance.suite import api_checks
from conformance.suite.objects import CustomerFactory, attach_card
from conformance.targets.card_paths import CardPaths


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
def scenario_tag(request: pytest.FixtureRequest, stripe_run_id: str) -> str:
    """The scenario's tag (``api_checks.scenario_tag``), for checks that may count only objects it made itself."""
    return api_checks.scenario_tag(stripe_run_id, f"{request.node.module.__name__}::{request.node.name}")


@pytest.fixture
def customer(customers: CustomerFactory) -> str:
    """The id of a fresh customer with no sources (``Blocked`` when no customer can be created)."""
    return customers.create()


@pytest.fixture
def add_card(stripe_client: StripeClient, stripe_card_paths: CardPaths) -> Callable[..., dict[str, object]]:
    """Attach a test card to a customer by the run's card-creation path and return it (setup, not under test)."""

    def attach(customer_id: str, token: str = "tok_visa", **params: object) -> dict[str, object]:
        return attach_card(stripe_client, stripe_card_paths, customer_id, token, **params)

    return attach
