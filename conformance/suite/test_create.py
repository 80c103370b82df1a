"""Attaching cards to a customer: tokens, raw details, metadata, refusals, the embedded list."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import Response, StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids
from conformance.suite.versions import sources_params

AddCard = Callable[..., dict[str, object]]


@requires("card.create.returns-card")
def test_attach_token_returns_card(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
    check.status(response, 200)
    with check.soft():
        check.equal(response, "$.object", "card")
        check.equal(response, "$.customer", customer)
        check.that(
            str(response.json().get("id", "")).startswith("card_"),
            f"expected a card id starting card_, got {response.json().get('id')!r}",
            response,
            json_path="$.id",
        )


@requires("card.create.token-details")
def test_token_card_details(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    for token, brand, last4 in (("tok_visa", "Visa", "4242"), ("tok_mastercard", "MasterCard", "4444")):
        response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": token})
        check.status(response, 200)
        with check.soft():
            check.equal(response, "$.brand", brand)
            check.equal(response, "$.last4", last4)


def _raw_cards_refused(response: Response) -> bool:
    """Tell whether the target refuses raw card numbers as an account setting (Stripe may)."""
    error = (response.json() or {}).get("error") if isinstance(response.json(), dict) else None
    message = str(error.get("message", "")).lower() if isinstance(error, dict) else ""
    return response.status in (400, 402) and ("raw card" in message or "card numbers directly" in message)


@requires("card.create.raw-card")
def test_attach_raw_card_details(
    stripe_client: StripeClient, customer: str, check: Verifier, stripe_now: datetime.datetime
) -> None:
    year = stripe_now.year + 3
    card = {"object": "card", "number": "4242424242424242", "exp_month": 7, "exp_year": year, "cvc": "123"}
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": card})
    if _raw_cards_refused(response):
        pytest.skip("the target refuses raw card numbers for this account (raw card data APIs not enabled)")
    check.status(response, 200)
    with check.soft():
        check.equal(response, "$.object", "card")
        check.equal(response, "$.customer", customer)
        check.equal(response, "$.last4", "4242")
        check.equal(response, "$.exp_month", 7)
        check.equal(response, "$.exp_year", year)


@requires("card.create.metadata")
def test_attach_with_metadata(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    metadata = {"order": "A-17", "purpose": "conformance"}
    response = stripe_client.post(
        f"/v1/customers/{customer}/sources", {"source": "tok_visa", "metadata": metadata}
    )
    card = check.status(response, 200)
    check.equal(response, "$.metadata", metadata)
    again = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(again, 200)
    check.equal(again, "$.metadata", metadata)


@requires("card.create.missing-source", "card.create.unknown-token")
@pytest.mark.needs_feature("list_sources")
def test_attach_refusals_attach_nothing(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    missing = stripe_client.post(f"/v1/customers/{customer}/sources", {})
    unknown = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_does_not_exist_0042"})
    listed = stripe_client.get(f"/v1/customers/{customer}/sources", {"object": "card"})
    with check.soft():
        check.error(missing, status=400, param="source", req="card.create.missing-source")
        check.error(unknown, status=400, code="resource_missing", req="card.create.unknown-token")
        check.status(listed, 200, req="card.create.unknown-token")
        check.equal(listed, "$.data[*].id", [], actual=data_ids(listed), req="card.create.unknown-token")


@requires("card.create.unknown-customer")
def test_attach_to_unknown_customer(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.post("/v1/customers/cus_doesnotexist0042/sources", {"source": "tok_visa"})
    check.error(response, status=404, code="resource_missing")


@requires("card.create.embedded-newest-first", "card.create.embedded-ten-most-recent", "card.list.default-limit")
@pytest.mark.needs_feature("list_sources")
def test_customer_shows_ten_most_recent_sources(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    added = [str(add_card(customer)["id"]) for _ in range(11)]
    newest_first = added[::-1]
    response = stripe_client.get(f"/v1/customers/{customer}", sources_params(stripe_client))
    check.status(response, 200, req="card.create.embedded-newest-first")
    sources = response.json().get("sources")
    check.that(
        isinstance(sources, dict) and isinstance(sources.get("data"), list),
        f"expected the customer to carry a sources list, got {str(sources)[:80]}",
        response,
        req="card.create.embedded-newest-first",
        json_path="$.sources",
    )
    shown = [item.get("id") for item in sources["data"]]
    with check.soft():
        check.equal(response, "$.sources.data[*].id", newest_first[: len(shown)], actual=shown,
                    req="card.create.embedded-newest-first")
        check.equal(response, "$.sources.data.length", 10, actual=len(shown),
                    req="card.create.embedded-ten-most-recent")
        check.equal(response, "$.sources.has_more", True, req="card.create.embedded-ten-most-recent")
    listed = stripe_client.get(f"/v1/customers/{customer}/sources")
    check.status(listed, 200, req="card.list.default-limit")
    with check.soft():
        check.equal(listed, "$.data[*].id", newest_first[:10], actual=data_ids(listed), req="card.list.default-limit")
        check.equal(listed, "$.has_more", True, req="card.list.default-limit")
