"""Deleting a customer's card: the deleted stub, and what is gone afterwards."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids, delete_card

AddCard = Callable[..., dict[str, object]]


@requires("card.delete.unknown-card", "card.delete.stub")
def test_delete_returns_stub_after_an_unknown_card_is_404(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    path = f"/v1/customers/{customer}/sources/{card['id']}"
    with check.soft():  # a failed refusal does not hide the stub's verdict
        response = stripe_client.delete(f"/v1/customers/{customer}/sources/card_doesnotexist0042")
        check.error(response, status=404, code="resource_missing", req="card.delete.unknown-card")
        still = stripe_client.get(path)
        check.status(still, 200, req="card.delete.unknown-card")
        if still.status != 200:
            check.not_assessed("card.delete.stub", f"the card to delete could not be read before (HTTP {still.status})")
            return
        # The card the refused delete left in place is the one deleted now.
        response = stripe_client.delete(path)
        check.status(response, 200, req="card.delete.stub")
        check.equal(response, "$.id", card["id"], req="card.delete.stub")
        check.equal(response, "$.object", "card", req="card.delete.stub")
        check.equal(response, "$.deleted", True, req="card.delete.stub")


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
