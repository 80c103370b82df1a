"""Stripe's error conventions: the envelope, Request-Id, JSON bodies, unknown parameters and ids."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.checks.preconditions import route_missing
from conformance.http import Response, StripeClient
from conformance.suite.cite import requires

AddCard = Callable[..., dict[str, object]]

ERROR_TYPES = ("api_error", "card_error", "idempotency_error", "invalid_request_error")


@requires("errors.envelope", "errors.request-id", "errors.request-id-always", "errors.json-body")
@pytest.mark.needs_feature("list_cards")
def test_every_answer_has_request_id_and_errors_have_the_envelope(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    base = f"/v1/customers/{customer}"
    successes: list[Response] = [
        stripe_client.post(f"{base}/sources/{card['id']}", {"name": "Request Id"}),
        stripe_client.get(f"{base}/sources/{card['id']}"),
        stripe_client.get(f"{base}/cards", {"limit": 1}),
    ]
    failures: list[Response] = [
        stripe_client.get(f"{base}/sources/card_doesnotexist0042"),
        stripe_client.get(f"{base}/cards", {"limit": 0}),
        stripe_client.post(f"{base}/sources/{card['id']}", {"exp_month": 13}),
    ]
    unauthenticated = [stripe_client.with_key(None).get(f"{base}/cards")]
    unknown_route = stripe_client.get(f"{base}/no_such_route_0042")
    # These requirements judge answers, not routes: a route the target lacks (Stripe's own 404 for an
    # unknown URL, or a 405) is not an answer to judge here, it is reported by the scenarios needing it.
    # The one exception is the deliberate unknown route, judged only on its Request-Id (a SHOULD).
    successes = [response for response in successes if not route_missing(response)]
    failures = [response for response in failures if not route_missing(response)]
    unauthenticated = [response for response in unauthenticated if not route_missing(response)]
    with check.soft():
        for response in successes:
            check.status(response, 200, req="errors.request-id")
        for response in failures + unauthenticated:
            if response.status >= 400:  # an accepted request (exp_month 13, say) is its own requirement's failure
                check.error(response, status=range(400, 500), type=ERROR_TYPES, req="errors.envelope")
        # The docs give every API request an id; refusals before authentication and unknown routes are
        # where Stripe is merely seen to send one too (a SHOULD).
        for response, requirement in (
            *((r, "errors.request-id") for r in successes + failures),
            *((r, "errors.request-id-always") for r in (*unauthenticated, unknown_route)),
        ):
            check.that(
                bool(response.header("Request-Id")),
                f"expected a Request-Id header on HTTP {response.status} {response.request.method}, got none",
                response,
                req=requirement,
            )
        for response in successes + failures + unauthenticated:
            content_type = response.header("Content-Type") or ""
            check.that(
                content_type.split(";")[0].strip() == "application/json" and response.json() is not None,
                f"expected a JSON body with Content-Type application/json, got {content_type!r}",
                response,
                req="errors.json-body",
            )


@requires("errors.unknown-parameter")
@pytest.mark.needs_feature("list_cards")
def test_unknown_parameter_is_refused_without_effect(
    stripe_client: StripeClient, customer: str, check: Verifier
) -> None:
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa", "colour": "blue"})
    check.error(response, status=400, param="colour")
    listed = stripe_client.get(f"/v1/customers/{customer}/cards")
    check.status(listed, 200)
    check.equal(listed, "$.data", [])


@requires("errors.unknown-customer")
@pytest.mark.needs_feature("list_cards")
def test_cards_of_unknown_customer_is_404(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.get("/v1/customers/cus_doesnotexist0042/cards")
    check.error(response, status=404, code="resource_missing")
