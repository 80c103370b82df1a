"""Updating a card: every documented parameter, metadata merging, and refusals that change nothing."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.checks.preconditions import require_made
from conformance.checks.verifier import resolve_path
from conformance.http import StripeClient
from conformance.suite.cite import requires

CARD_UPDATE_PRECONDITION = "precondition.card-update"
AddCard = Callable[..., dict[str, object]]

ADDRESS = {
    "address_city": "Lyon",
    "address_country": "FR",
    "address_line1": "12 Rue de la Conformance",
    "address_line2": "Batiment B",
    "address_state": "Rhone",
    "address_zip": "69001",
}
CARD_FIELDS = (
    "brand", "last4", "exp_month", "exp_year", "fingerprint", "funding", "metadata", "name",
    *ADDRESS,
)


def _path(customer: str, card: dict[str, object]) -> str:
    return f"/v1/customers/{customer}/sources/{card['id']}"


def _prepared(client: StripeClient, customer: str, card: dict[str, object]) -> dict[str, object]:
    """Give a card a name, an address line and metadata (setup), and return it as the target shows it."""
    response = client.post(_path(customer, card), {"name": "Original Name", "address_line1": "1 Main St",
                                                   "metadata": {"kept": "yes"}})
    return require_made(response, CARD_UPDATE_PRECONDITION, f"Preparing card {card['id']} with a name and metadata")


@requires("card.update.address", "card.update.expiry", "card.update.name", "card.update.persists")
@pytest.mark.needs_feature("update_source")
def test_every_parameter_is_reflected_and_persists(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier, stripe_now: datetime.datetime
) -> None:
    card = add_card(customer)
    year = stripe_now.year + 4
    changes: dict[str, object] = {**ADDRESS, "exp_month": 11, "exp_year": year, "name": "Jenny Rosen"}
    requirement = {"exp_month": "card.update.expiry", "exp_year": "card.update.expiry", "name": "card.update.name"}
    response = stripe_client.post(_path(customer, card), changes)
    check.status(response, 200, req="card.update.address")
    retrieved = stripe_client.get(_path(customer, card))
    with check.soft():
        for field, value in changes.items():
            check.equal(response, f"$.{field}", value, req=requirement.get(field, "card.update.address"))
        check.status(retrieved, 200, req="card.update.persists")
        for field, value in changes.items():
            check.equal(retrieved, f"$.{field}", value, req="card.update.persists")


@requires("card.update.untouched-fields")
@pytest.mark.needs_feature("update_source")
def test_update_changes_only_what_it_sends(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = _prepared(stripe_client, customer, add_card(customer))
    response = stripe_client.post(_path(customer, card), {"address_city": "Paris"})
    check.status(response, 200)
    with check.soft():
        # Every field, present or not: a field that appears or vanishes changed too.
        for field in CARD_FIELDS:
            if field != "address_city":
                check.equal(response, f"$.{field}", resolve_path(card, f"$.{field}"))


@requires("card.update.metadata-merge", "card.update.metadata-unset-key", "card.update.metadata-unset-all")
@pytest.mark.needs_feature("update_source")
def test_metadata_merges_and_unsets(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    first = stripe_client.post(_path(customer, card), {"metadata": {"keep": "1", "drop": "2"}})
    check.status(first, 200, req="card.update.metadata-merge")
    merged = stripe_client.post(_path(customer, card), {"metadata": {"drop": "", "add": "3"}})
    cleared = stripe_client.post(_path(customer, card), {"metadata": ""})
    retrieved = stripe_client.get(_path(customer, card))
    with check.soft():
        check.status(merged, 200, req="card.update.metadata-merge")
        check.equal(merged, "$.metadata.keep", "1", req="card.update.metadata-merge")
        check.equal(merged, "$.metadata.add", "3", req="card.update.metadata-merge")
        check.that(
            "drop" not in (merged.json().get("metadata") or {}),
            f"expected metadata key 'drop' to be unset, got metadata {merged.json().get('metadata')!r}",
            merged,
            req="card.update.metadata-unset-key",
            json_path="$.metadata.drop",
        )
        check.status(cleared, 200, req="card.update.metadata-unset-all")
        check.equal(cleared, "$.metadata", {}, req="card.update.metadata-unset-all")
        check.status(retrieved, 200, req="card.update.metadata-unset-all")
        check.equal(retrieved, "$.metadata", {}, req="card.update.metadata-unset-all")


@requires("card.update.invalid-exp-month", "card.update.non-integer", "card.update.rejected-changes-nothing")
@pytest.mark.needs_feature("update_source")
def test_invalid_values_are_refused_and_change_nothing(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    either = ("invalid_request_error", "card_error")
    month = stripe_client.post(_path(customer, card), {"name": "Should Not Stick", "exp_month": 13})
    word = stripe_client.post(_path(customer, card), {"exp_month": "soon"})
    year = stripe_client.post(_path(customer, card), {"exp_year": "later"})
    retrieved = stripe_client.get(_path(customer, card))
    with check.soft():
        check.error(month, status=(400, 402), type=either, param="exp_month", req="card.update.invalid-exp-month")
        check.error(word, status=(400, 402), type=either, param="exp_month", req="card.update.non-integer")
        check.error(year, status=(400, 402), type=either, param="exp_year", req="card.update.non-integer")
        check.status(retrieved, 200, req="card.update.rejected-changes-nothing")
        # Every field as the card was made, present or not (one that appears or vanishes changed too).
        for field in CARD_FIELDS:
            check.equal(
                retrieved, f"$.{field}", resolve_path(card, f"$.{field}"), req="card.update.rejected-changes-nothing"
            )


@requires("card.update.unknown-param")
@pytest.mark.needs_feature("update_source")
def test_unknown_update_parameter_is_refused(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.post(_path(customer, card), {"nickname": "favourite"})
    check.error(response, status=400, param="nickname")


@requires("card.update.unknown-card")
@pytest.mark.needs_feature("update_source")
def test_update_unknown_card_is_404(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    response = stripe_client.post(
        f"/v1/customers/{customer}/sources/card_doesnotexist0042", {"name": "Nobody"}
    )
    check.error(response, status=404, code="resource_missing")
