"""Behaviour that follows the pinned Stripe-Version: whether a customer embeds its sources list."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.versions import SOURCES_UNEMBEDDED_FROM, embeds_sources

AddCard = Callable[..., dict[str, object]]


@requires("card.version.sources-embedded-legacy")
def test_legacy_version_embeds_sources(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    if not embeds_sources(stripe_client.stripe_version):
        pytest.skip(f"the run pins {stripe_client.stripe_version}; customers embed sources only before "
                    f"{SOURCES_UNEMBEDDED_FROM}")
    card = add_card(customer)
    response = stripe_client.get(f"/v1/customers/{customer}")
    check.status(response, 200)
    with check.soft():
        check.equal(response, "$.sources.object", "list")
        check.equal(response, "$.sources.data[0].id", card["id"])


@requires("card.version.sources-expand-only")
def test_sources_only_when_expanded(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    if embeds_sources(stripe_client.stripe_version):
        pytest.skip(f"the run pins {stripe_client.stripe_version}; sources need expanding only from "
                    f"{SOURCES_UNEMBEDDED_FROM}")
    card = add_card(customer)
    plain = stripe_client.get(f"/v1/customers/{customer}")
    check.status(plain, 200)
    check.that("sources" not in plain.json(), "expected no sources on an unexpanded customer, got one",
               plain, json_path="$.sources")
    expanded = stripe_client.get(f"/v1/customers/{customer}", {"expand": ["sources"]})
    check.status(expanded, 200)
    with check.soft():
        check.equal(expanded, "$.sources.object", "list")
        check.equal(expanded, "$.sources.data[*].id", [card["id"]], actual=data_ids_of_sources(expanded.json()))


def data_ids_of_sources(customer: object) -> list[object]:
    """Return the ids in a customer body's ``sources`` list."""
    sources = customer.get("sources") if isinstance(customer, dict) else None
    data = sources.get("data") if isinstance(sources, dict) else None
    return [item.get("id") for item in data if isinstance(item, dict)] if isinstance(data, list) else []

