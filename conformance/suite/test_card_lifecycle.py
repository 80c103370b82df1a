"""The customer-card lifecycle: attach, read back, delete."""

from __future__ import annotations

from collections.abc import Callable

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires


@requires("card.create.returns-card")
def test_attach_token_returns_card(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
    check.status(response, 200)
    check.equal(response, "$.object", "card")
    check.equal(response, "$.customer", customer)
    check.that(
        str(response.json().get("id", "")).startswith("card_"),
        f"expected a card id starting card_, got {response.json().get('id')!r}",
        response,
        json_path="$.id",
    )


@requires("card.default.first-card")
def test_first_card_becomes_default(
    stripe_client: StripeClient, customer: str, add_card: Callable[..., dict[str, object]], check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.get(f"/v1/customers/{customer}")
    check.status(response, 200)
    check.equal(response, "$.default_source", card["id"])


@requires("card.retrieve.by-id")
def test_retrieve_card_by_id(
    stripe_client: StripeClient, customer: str, add_card: Callable[..., dict[str, object]], check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(response, 200)
    check.equal(response, "$.id", card["id"])
    check.equal(response, "$.last4", card["last4"])


@requires("card.delete.stub")
def test_delete_returns_stub(
    stripe_client: StripeClient, customer: str, add_card: Callable[..., dict[str, object]], check: Verifier
) -> None:
    card = add_card(customer)
    response = stripe_client.delete(f"/v1/customers/{customer}/sources/{card['id']}")
    check.status(response, 200)
    check.equal(response, "$.id", card["id"])
    check.equal(response, "$.object", "card")
    check.equal(response, "$.deleted", True)


@requires("auth.missing-key")
def test_missing_key_is_401(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.with_key(None).get("/v1/customers", {"limit": 1})
    check.error(response, status=401)
