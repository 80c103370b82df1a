"""Forwarding requests (seeds/000 'Forwarding Request'): create, redaction, idempotency, list."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.checks import Verifier
from conformance.http import Response, StripeClient
from conformance.suite.api_checks import (
    added_ids,
    check_list_holds,
    check_not_found,
    check_paging_reaches,
    require_route,
    setup_object,
)
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("forwarding")

FEATURE = "forwarding"
PATH = "/v1/forwarding/requests"
PAYMENT_METHOD = "pm_card_visa"
"""Stripe's documented test PaymentMethod for a Visa card."""
DESTINATION = "https://example.com/stripe-conformance/payments"
REPLACEMENTS = ["card_number", "card_expiry", "card_cvc", "cardholder_name"]
CREDENTIAL_HEADER = "Destination-API-Key"
_CARD_NUMBER = re.compile(r"(?<!\d)\d{13,19}(?!\d)")


def request_params(credential: str, tag: str = "") -> dict[str, Any]:
    """A forwarding request whose body has empty card fields and whose headers carry ``credential``.

    ``tag`` (a scenario's tag) goes into the body as ``reference``: the stored request details keep
    the body, so a check over the account-wide list can tell this scenario's requests from others'
    (forwarding requests take ``metadata`` only from API version 2024-10-28 on).
    """
    body: dict[str, Any] = {"amount": {"value": 1000, "currency": "usd"},
                            "card": {"number": "", "expiryMonth": "", "expiryYear": "", "cvc": "", "holderName": ""}}
    if tag:
        body["reference"] = tag
    return {
        "payment_method": PAYMENT_METHOD,
        "url": DESTINATION,
        "replacements": REPLACEMENTS,
        "request": {"body": json.dumps(body), "headers": [{"name": CREDENTIAL_HEADER, "value": credential}]},
    }


@pytest.fixture
def credential(stripe_run_id: str) -> str:
    """A made-up destination credential for this run (never a Stripe key; stable under replay)."""
    return f"fwdcred-{stripe_run_id}"


def forwarded_with(tag: str) -> Callable[[Mapping[str, Any]], bool]:
    """Return a test recognising listed forwarding requests whose stored body carries ``tag``."""

    def mine(item: Mapping[str, Any]) -> bool:
        details = item.get("request_details")
        body = details.get("body") if isinstance(details, dict) else None
        return isinstance(body, str) and tag in body

    return mine


def stored_parts(response: Response) -> str:
    """The stored request and response details of a forwarding request body, as one text."""
    body = response.json()
    if not isinstance(body, dict):
        return ""
    return json.dumps([body.get("request_details"), body.get("response_details")])


@requires("forwarding.create.read-back", "forwarding.redaction", "forwarding.list")
def test_create_then_read_back_redacted(stripe_client: StripeClient, credential: str, check: Verifier) -> None:
    # One forwarded request, as created and as read back, is judged for its fields and for what it stores.
    secret = credential
    created = stripe_client.post(PATH, request_params(secret))
    require_route(created, FEATURE)
    req = "forwarding.create.read-back"
    body = check.status(created, 200, req)
    retrieved = stripe_client.get(f"{PATH}/{body.get('id')}")
    with check.soft():
        check.equal(created, "$.object", "forwarding.request", req)
        check.equal(created, "$.payment_method", PAYMENT_METHOD, req)
        check.equal(created, "$.url", DESTINATION, req)
        check.equal(created, "$.replacements", REPLACEMENTS, req)
        status = (body.get("response_details") or {}).get("status")
        check.that(isinstance(status, int), f"expected response_details.status, the destination's HTTP status, got "
                   f"{status!r}", created, req, json_path="$.response_details.status")
        check.status(retrieved, 200, req)
        for name in ("id", "payment_method", "url", "replacements", "request_details", "response_details"):
            check.equal(retrieved, f"$.{name}", body.get(name), req)
        if retrieved.status == 200:
            for answer, where in ((created, "created"), (retrieved, "retrieved")):
                stored = stored_parts(answer)
                numbers = _CARD_NUMBER.findall(stored)
                check.that(not numbers, f"expected no full card number in the {where} request/response details, "
                           f"found {len(numbers)} run(s) of 13-19 digits", answer, "forwarding.redaction",
                           json_path="$.request_details.body")
                check.that(secret not in stored, f"expected the {CREDENTIAL_HEADER} header value redacted in the "
                           f"{where} request details, it is stored as sent", answer, "forwarding.redaction",
                           json_path="$.request_details.headers")
        else:
            check.not_assessed("forwarding.redaction", f"the created request could not be read back "
                               f"(HTTP {retrieved.status})")
    # The request just read back is listed with a second one.
    made = [body.get("id"), setup_object(stripe_client, PATH, request_params(credential), feature=FEATURE,
                                         precondition="precondition.forwarding-request")["id"]]
    check_list_holds(stripe_client, check, PATH, made, "forwarding.list")
    check_paging_reaches(stripe_client, check, PATH, made, "forwarding.list")


@requires("forwarding.create.required-params", "forwarding.unknown-id")
def test_create_requires_payment_method_url_and_replacements(
    stripe_client: StripeClient, credential: str, scenario_tag: str, check: Verifier
) -> None:
    before = stripe_client.get(PATH, {"limit": 100})
    require_route(before, FEATURE)
    complete = request_params(credential, scenario_tag)
    with check.soft():
        for missing in ("payment_method", "url", "replacements"):
            params = {k: v for k, v in complete.items() if k != missing}
            check.error(stripe_client.post(PATH, params), status=400, param=missing,
                        req="forwarding.create.required-params")
        after = stripe_client.get(PATH, {"limit": 100})
        new = added_ids(before, after, forwarded_with(scenario_tag))
        check.that(not new, f"expected refused requests to forward nothing, the list gained {new}", after,
                   "forwarding.create.required-params")
        # The list above showed the route is served: this 404 is about the id.
        check_not_found(check, stripe_client.get(f"{PATH}/fwdreq_doesnotexist0042"), "forwarding.unknown-id")


@requires("forwarding.idempotency")
def test_one_outbound_request_per_idempotency_key(
    stripe_client: StripeClient, credential: str, scenario_tag: str, check: Verifier
) -> None:
    before = stripe_client.get(PATH, {"limit": 100})
    require_route(before, FEATURE)
    # The client's own key source carries the run's nonce: a rerun with the same seed sends a new key.
    params, key = request_params(credential, scenario_tag), stripe_client.fresh_idempotency_key()
    first = stripe_client.post(PATH, params, idempotency_key=key)
    second = stripe_client.post(PATH, params, idempotency_key=key)
    check.status(first, 200)
    with check.soft():
        check.status(second, 200)
        check.equal(second, "$.id", first.json().get("id"))
        after = stripe_client.get(PATH, {"limit": 100})
        new = added_ids(before, after, forwarded_with(scenario_tag))
        check.that(len(new) == 1, f"expected one new forwarding request for one key, the list gained {len(new)}",
                   after, json_path="$.data")
