"""Stripe's error conventions (the envelope, Request-Id, JSON bodies, unknown parameters and ids) and body schemas."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.checks.preconditions import require_made, route_missing
from conformance.http import Response, StripeClient
from conformance.suite.cite import requires
from conformance.targets.card_paths import CARD_PRECONDITION

AddCard = Callable[..., dict[str, object]]

ERROR_TYPES = ("api_error", "card_error", "idempotency_error", "invalid_request_error")


SCHEMA_REQUIREMENTS = (  # also cited one by one below, where the requirement index reads them
    "schema.card", "schema.customer", "schema.list", "schema.deleted-card", "schema.error", "schema.fixture-fields",
)


@requires(
    "errors.envelope", "errors.request-id", "errors.request-id-always", "errors.json-body", "errors.unknown-parameter",
    "errors.unknown-customer", "schema.card", "schema.customer", "schema.list", "schema.deleted-card", "schema.error",
    "schema.fixture-fields",
)
@pytest.mark.needs_feature("list_cards")
def test_every_answer_has_request_id_errors_have_the_envelope_and_bodies_their_schema(
    stripe_client: StripeClient, customer: str, check: Verifier
) -> None:
    # One customer's card lifecycle gives every kind of answer: each is judged for its Request-Id,
    # its JSON body, its error envelope and the schema of its object.
    with check.soft():  # a refusal that fails does not hide the verdicts of the answers after it
        base = f"/v1/customers/{customer}"
        with check.soft():
            response = stripe_client.post(f"{base}/sources", {"source": "tok_visa", "colour": "blue"})
            check.error(response, status=400, param="colour", req="errors.unknown-parameter")
            listed = stripe_client.get(f"{base}/cards")
            check.status(listed, 200, req="errors.unknown-parameter")
            check.equal(listed, "$.data", [], req="errors.unknown-parameter")
        created = stripe_client.post(f"{base}/sources", {"source": "tok_visa"})
        card = require_made(created, CARD_PRECONDITION, "Attaching tok_visa")
        path = f"{base}/sources/{card['id']}"
        updated = stripe_client.post(path, {"name": "Schema Check", "address_zip": "94107"})
        retrieved = stripe_client.get(path)
        plain = stripe_client.get(base)
        expanded = stripe_client.get(base, {"expand": ["sources"]})
        cards = stripe_client.get(f"{base}/cards")
        successes: list[Response] = [created, updated, retrieved, cards]
        unknown_card = stripe_client.get(f"{base}/sources/card_doesnotexist0042")
        refused = stripe_client.get(f"{base}/cards", {"limit": 0})
        unknown_customer = stripe_client.get("/v1/customers/cus_doesnotexist0042/cards")
        failures: list[Response] = [
            unknown_card, refused, unknown_customer, stripe_client.post(path, {"exp_month": 13}),
        ]
        unauthenticated = [stripe_client.with_key(None).get(f"{base}/cards")]
        unknown_route = stripe_client.get(f"{base}/no_such_route_0042")
        deleted = stripe_client.delete(path)
        missing = stripe_client.get(path)
        with check.soft():
            check.error(unknown_customer, status=404, code="resource_missing", req="errors.unknown-customer")
            _judge_conventions(check, successes, failures, unauthenticated, unknown_route)
            if not check.validates_schemas:
                for rid in SCHEMA_REQUIREMENTS:
                    check.not_assessed(rid, "no schema registry is available to validate bodies")
                return
            for response in (created, updated, retrieved):
                check.schema(response, req="schema.card")
            for response in (plain, expanded):
                check.schema(response, req="schema.customer")
            check.schema(cards, req="schema.list")
            check.schema(deleted, req="schema.deleted-card")
            for response in (missing, refused):
                check.schema(response, req="schema.error")
            # Fields the spec leaves optional but Stripe's official fixtures always carry: a SHOULD.
            for response in (created, updated, retrieved, plain, expanded, cards):
                check.present(response, req="schema.fixture-fields")


def _judge_conventions(
    check: Verifier,
    successes: list[Response],
    failures: list[Response],
    unauthenticated: list[Response],
    unknown_route: Response,
) -> None:
    """Judge Request-Id, JSON bodies and the error envelope of the answers a scenario collected."""
    # These requirements judge answers, not routes: a route the target lacks (Stripe's own 404 for an
    # unknown URL, or a 405) is not an answer to judge here, it is reported by the scenarios needing it.
    # The one exception is the deliberate unknown route, judged only on its Request-Id (a SHOULD).
    successes = [response for response in successes if not route_missing(response)]
    failures = [response for response in failures if not route_missing(response)]
    unauthenticated = [response for response in unauthenticated if not route_missing(response)]
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
