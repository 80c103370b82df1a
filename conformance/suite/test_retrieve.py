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


@requires(
    "card.retrieve.by-id", "card.retrieve.unknown-id", "card.retrieve.other-customer",
    "card.retrieve.other-customer-code", "card.retrieve.unknown-customer",
)
def test_card_reads_by_id_and_the_404s_around_it(
    stripe_client: StripeClient, customers: CustomerFactory, add_card: AddCard, check: Verifier
) -> None:
    # Only reads: one card, its owner and one stranger serve every check.
    owner, stranger = customers.create(), customers.create()
    card = add_card(owner)
    response = stripe_client.get(f"/v1/customers/{owner}/sources/{card['id']}")
    unknown = stripe_client.get(f"/v1/customers/{owner}/sources/card_doesnotexist0042")
    elsewhere = stripe_client.get(f"/v1/customers/{stranger}/sources/{card['id']}")
    nobody = stripe_client.get("/v1/customers/cus_doesnotexist0042/sources/card_doesnotexist0042")
    with check.soft():
        check.status(response, 200, req="card.retrieve.by-id")
        # Every stable field, present or not: one that only one of the two answers has is a difference.
        for field in STABLE_FIELDS:
            check.equal(response, f"$.{field}", resolve_path(card, f"$.{field}"), req="card.retrieve.by-id")
        check.error(unknown, status=404, code="resource_missing", req="card.retrieve.unknown-id")
        # An error envelope with 404 shows nothing of the card; only the code is the observed form.
        check.error(elsewhere, status=404, req="card.retrieve.other-customer")
        check.error(elsewhere, status=404, code="resource_missing", req="card.retrieve.other-customer-code")
        check.error(nobody, status=404, code="resource_missing", req="card.retrieve.unknown-customer")


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
