"""Authentication: a missing or malformed key is a 401 with no effect; Bearer works like basic auth."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.checks.preconditions import answer_summary, blocked_by, route_missing, unsupported_route
from conformance.http import StripeClient
from conformance.suite.cite import requires

CARD_LIST_PRECONDITION = "precondition.card-list"


@requires("auth.missing-key")
def test_missing_key_is_401(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.with_key(None).get("/v1/customers", {"limit": 1})
    check.error(response, status=401)


@requires("auth.malformed-key")
def test_malformed_key_is_401(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.with_key("not_a_stripe_key").get("/v1/customers", {"limit": 1})
    check.error(response, status=401)


@requires("auth.bearer")
def test_bearer_token_is_accepted(stripe_client: StripeClient, check: Verifier) -> None:
    # The same read the refusals above send, with the key as a Bearer token: it must be answered.
    bearer = stripe_client.with_key(stripe_client.api_key, auth_scheme="bearer")
    response = bearer.get("/v1/customers", {"limit": 1})
    check.status(response, 200)
    check.equal(response, "$.object", "list")


@requires("auth.refused-has-no-effect")
@pytest.mark.needs_feature("list_sources")
def test_refused_request_attaches_nothing(stripe_client: StripeClient, customer: str, check: Verifier) -> None:
    """Judged only when the card list answers: without it nothing shows what the refused requests did."""
    path = f"/v1/customers/{customer}/sources"
    refused = [stripe_client.with_key(key).post(path, {"source": "tok_visa"}) for key in (None, "not_a_stripe_key")]
    listed = stripe_client.get(path, {"object": "card"})
    if route_missing(listed):
        raise unsupported_route(listed)
    if listed.status != 200:
        raise blocked_by(
            CARD_LIST_PRECONDITION,
            f"Listing the customer's cards was refused with {answer_summary(listed)}, so nothing shows "
            "whether the requests refused for want of a key attached a card.",
            listed,
        )
    for answer in refused:
        check.status(answer, 401)
    check.status(listed, 200)
    check.equal(listed, "$.data", [])
