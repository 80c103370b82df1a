"""Deleting a customer's card: the deleted stub, and what is gone afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids, delete_card

AddCard = Callable[..., dict[str, object]]


@requires("card.delete.stub")
def test_delete_returns_stub(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.delete(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(response, 200)
    with check.soft():
        check.equal(response, "$.id", card["id"])
        check.equal(response, "$.object", "card")
        check.equal(response, "$.deleted", True)


@requires("card.retrieve.deleted", "card.delete.second-delete", "card.delete.gone-from-list")
@pytest.mark.needs_feature("list_sources")
def test_deleted_card_is_gone(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    kept, doomed = add_card(customer), add_card(customer)
    delete_card(stripe_client, customer, str(doomed["id"]))
    with check.soft():
        retrieved = stripe_client.get(f"/v1/customers/{customer}/sources/{doomed['id']}")
        check.error(retrieved, status=404, code="resource_missing", req="card.retrieve.deleted")
        again = stripe_client.delete(f"/v1/customers/{customer}/sources/{doomed['id']}")
        check.error(again, status=404, code="resource_missing", req="card.delete.second-delete")
        listed = stripe_client.get(f"/v1/customers/{customer}/sources", {"object": "card"})
        check.status(listed, 200, req="card.delete.gone-from-list")
        check.equal(listed, "$.data[*].id", [kept["id"]], actual=data_ids(listed), req="card.delete.gone-from-list")


@requires("card.delete.unknown-card")
def test_delete_unknown_card_is_404(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.delete(f"/v1/customers/{customer}/sources/card_doesnotexist0042")
    check.error(response, status=404, code="resource_missing")
    still = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(still, 200)
