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


@requires(
    "card.update.invalid-exp-month", "card.update.non-integer", "card.update.unknown-param",
    "card.update.rejected-changes-nothing", "card.update.address", "card.update.expiry", "card.update.name",
    "card.update.persists", "card.update.metadata-merge", "card.update.metadata-unset-key",
    "card.update.untouched-fields", "card.update.metadata-unset-all", "card.update.unknown-card",
)
@pytest.mark.needs_feature("update_source")
def test_one_card_through_refusals_updates_and_metadata(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier, stripe_now: datetime.datetime
) -> None:
    # One card goes through every step, each judged against the card as the step before left it:
    # refusals first (the card is as made), then a full update, metadata merges, a partial update
    # of a card carrying a name, an address and metadata, and last the metadata unset.
    card = add_card(customer)
    path = _path(customer, card)
    either = ("invalid_request_error", "card_error")
    # Every step runs (one soft block): a step that fails does not hide the verdicts of the others;
    # a step whose own request was refused leaves what depends on it not assessed, not failed.
    with check.soft():
        month = stripe_client.post(path, {"name": "Should Not Stick", "exp_month": 13})
        word = stripe_client.post(path, {"exp_month": "soon"})
        year = stripe_client.post(path, {"exp_year": "later"})
        unknown = stripe_client.post(path, {"nickname": "favourite"})
        nobody = stripe_client.post(f"/v1/customers/{customer}/sources/card_doesnotexist0042", {"name": "Nobody"})
        retrieved = stripe_client.get(path)
        check.error(month, status=(400, 402), type=either, param="exp_month", req="card.update.invalid-exp-month")
        check.error(word, status=(400, 402), type=either, param="exp_month", req="card.update.non-integer")
        check.error(year, status=(400, 402), type=either, param="exp_year", req="card.update.non-integer")
        check.error(unknown, status=400, param="nickname", req="card.update.unknown-param")
        check.error(nobody, status=404, code="resource_missing", req="card.update.unknown-card")
        check.status(retrieved, 200, req="card.update.rejected-changes-nothing")
        # Every field as the card was made, present or not (one that appears or vanishes changed too).
        for field in CARD_FIELDS:
            check.equal(
                retrieved, f"$.{field}", resolve_path(card, f"$.{field}"), req="card.update.rejected-changes-nothing"
            )
        _full_update(stripe_client, check, path, stripe_now.year + 4)
        _metadata_and_partial_update(stripe_client, check, path, str(card["id"]))


def _full_update(stripe_client: StripeClient, check: Verifier, path: str, year: int) -> None:
    """Update every documented parameter at once; the answer and a read back reflect each."""
    changes: dict[str, object] = {**ADDRESS, "exp_month": 11, "exp_year": year, "name": "Jenny Rosen"}
    requirement = {"exp_month": "card.update.expiry", "exp_year": "card.update.expiry", "name": "card.update.name"}
    response = stripe_client.post(path, changes)
    check.status(response, 200, req="card.update.address")
    if response.status != 200:
        for rid in ("card.update.expiry", "card.update.name", "card.update.persists"):
            check.not_assessed(rid, f"the update carrying it was refused (HTTP {response.status})")
        return
    persisted = stripe_client.get(path)
    for field, value in changes.items():
        check.equal(response, f"$.{field}", value, req=requirement.get(field, "card.update.address"))
    check.status(persisted, 200, req="card.update.persists")
    for field, value in changes.items():
        check.equal(persisted, f"$.{field}", value, req="card.update.persists")


def _metadata_and_partial_update(stripe_client: StripeClient, check: Verifier, path: str, card_id: str) -> None:
    """Merge and unset metadata keys, update one field of a card with a name, address and metadata, unset all."""
    first = stripe_client.post(path, {"metadata": {"keep": "1", "drop": "2"}})
    check.status(first, 200, req="card.update.metadata-merge")
    merged = stripe_client.post(path, {"metadata": {"drop": "", "add": "3"}})
    check.status(merged, 200, req="card.update.metadata-merge")
    check.equal(merged, "$.metadata.keep", "1", req="card.update.metadata-merge")
    check.equal(merged, "$.metadata.add", "3", req="card.update.metadata-merge")
    metadata = merged.json().get("metadata") if isinstance(merged.json(), dict) else None
    check.that(
        "drop" not in (metadata or {}),
        f"expected metadata key 'drop' to be unset, got metadata {metadata!r}",
        merged,
        req="card.update.metadata-unset-key",
        json_path="$.metadata.drop",
    )
    before = require_made(merged, CARD_UPDATE_PRECONDITION, f"Giving card {card_id} metadata to keep")
    city = stripe_client.post(path, {"address_city": "Paris"})
    check.status(city, 200, req="card.update.untouched-fields")
    if city.status == 200:
        # Every field, present or not: a field that appears or vanishes changed too.
        for field in CARD_FIELDS:
            if field != "address_city":
                check.equal(city, f"$.{field}", resolve_path(before, f"$.{field}"), req="card.update.untouched-fields")

    cleared = stripe_client.post(path, {"metadata": ""})
    after = stripe_client.get(path)
    check.status(cleared, 200, req="card.update.metadata-unset-all")
    check.equal(cleared, "$.metadata", {}, req="card.update.metadata-unset-all")
    check.status(after, 200, req="card.update.metadata-unset-all")
    check.equal(after, "$.metadata", {}, req="card.update.metadata-unset-all")
