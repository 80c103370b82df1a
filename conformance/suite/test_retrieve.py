"""Reading one card back: by id, through the legacy /cards path, and the 404s around it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.checks.verifier import resolve_path
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import CustomerFactory

AddCard = Callable[..., dict[str, object]]

STABLE_FIELDS = (
    "id", "object", "customer", "brand", "country", "last4", "exp_month", "exp_year",
    "fingerprint", "funding", "metadata", "name",
)


@requires("card.retrieve.by-id")
def test_retrieve_card_by_id(stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier) -> None:
    card = add_card(customer)
    response = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(response, 200)
    with check.soft():
        # Every stable field, present or not: one that only one of the two answers has is a difference.
        for field in STABLE_FIELDS:
            check.equal(response, f"$.{field}", resolve_path(card, f"$.{field}"))


@requires("card.retrieve.legacy-path")
@pytest.mark.needs_feature("legacy_cards_path")
def test_legacy_cards_path_reads_the_same(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    via_sources = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
    via_cards = stripe_client.get(f"/v1/customers/{customer}/cards/{card['id']}")
    check.status(via_sources, 200)
    check.status(via_cards, 200)
    check.equal(via_cards, "$", via_sources.json())


@requires("card.retrieve.unknown-id")
def test_unknown_card_id_is_404(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    response = stripe_client.get(f"/v1/customers/{customer}/sources/card_doesnotexist0042")
    check.error(response, status=404, code="resource_missing")


@requires("card.retrieve.other-customer", "card.retrieve.other-customer-code")
def test_card_of_another_customer_is_404(
    stripe_client: StripeClient, customers: CustomerFactory, add_card: AddCard, check: Verifier
) -> None:
    owner, stranger = customers.create(), customers.create()
    card = add_card(owner)
    response = stripe_client.get(f"/v1/customers/{stranger}/sources/{card['id']}")
    # An error envelope with 404 shows nothing of the card; only the code is the observed form.
    with check.soft():
        check.error(response, status=404, req="card.retrieve.other-customer")
        check.error(response, status=404, code="resource_missing", req="card.retrieve.other-customer-code")


@requires("card.retrieve.unknown-customer")
def test_card_under_unknown_customer_is_404(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.get("/v1/customers/cus_doesnotexist0042/sources/card_doesnotexist0042")
    check.error(response, status=404, code="resource_missing")
