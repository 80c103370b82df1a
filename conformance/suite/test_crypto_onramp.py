"""Crypto onramp sessions and quotes (seeds/000 'Crypto Onramp Session', 'Crypto Onramp Quotes')."""

from __future__ import annotations

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.api_checks import (
    check_list_holds,
    check_not_found,
    check_paging_reaches,
    require_route,
    setup_object,
)
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("crypto_onramp")

FEATURE = "crypto_onramp"
SESSIONS, QUOTES = "/v1/crypto/onramp_sessions", "/v1/crypto/onramp/quotes"
WALLET = "0x0000000000000000000000000000000000c0ffee"
SESSION = {"wallet_addresses": {"ethereum": WALLET}, "destination_networks": ["ethereum"],
           "destination_currencies": ["usdc"], "source_currency": "usd"}


@requires("crypto_onramp.session.create.read-back", "crypto_onramp.session.amounts-exclusive",
          "crypto_onramp.session.unknown-id", "crypto_onramp.session.list")
def test_create_session_then_read_back(stripe_client: StripeClient, check: Verifier) -> None:
    created = stripe_client.post(SESSIONS, SESSION)
    require_route(created, FEATURE)
    # The answer above showed the route is served: the refusal and the 404 below are about what was sent.
    both = stripe_client.post(SESSIONS, {**SESSION, "source_amount": "100", "destination_amount": "50"})
    unknown = stripe_client.get(f"{SESSIONS}/cos_doesnotexist0042")
    with check.soft():
        check.error(both, status=400, req="crypto_onramp.session.amounts-exclusive")
        check_not_found(check, unknown, "crypto_onramp.session.unknown-id")
    req = "crypto_onramp.session.create.read-back"
    body = check.status(created, 200, req)
    retrieved = stripe_client.get(f"{SESSIONS}/{body.get('id')}")
    with check.soft():
        check.equal(created, "$.object", "crypto.onramp_session", req)
        check.equal(created, "$.status", "initialized", req)
        secret = body.get("client_secret")
        check.that(isinstance(secret, str) and bool(secret), "expected a client_secret on the new session", created,
                   req, json_path="$.client_secret")
        check.equal(created, "$.transaction_details.wallet_addresses.ethereum", WALLET, req)
        check.equal(created, "$.transaction_details.destination_networks", ["ethereum"], req)
        check.status(retrieved, 200, req)
        for name in ("id", "status", "created", "transaction_details"):
            check.equal(retrieved, f"$.{name}", body.get(name), req)
    # The session just read back is listed with a second one.
    made = [body.get("id"), setup_object(stripe_client, SESSIONS, SESSION, feature=FEATURE,
                                         precondition="precondition.onramp-session")["id"]]
    check_list_holds(stripe_client, check, SESSIONS, made, "crypto_onramp.session.list")
    check_paging_reaches(stripe_client, check, SESSIONS, made, "crypto_onramp.session.list")


@requires("crypto_onramp.quote.retrieve", "crypto_onramp.quote.network-filter")
def test_quotes(stripe_client: StripeClient, check: Verifier) -> None:
    answer = stripe_client.get(QUOTES, {"source_amount": "200", "source_currency": "usd"})
    require_route(answer, FEATURE)
    req = "crypto_onramp.quote.retrieve"
    body = check.status(answer, 200, req)
    with check.soft():
        check.equal(answer, "$.source_currency", "usd", req)
        check.that(isinstance(body.get("source_amount"), str), f"expected source_amount as a decimal string, got "
                   f"{body.get('source_amount')!r}", answer, req, json_path="$.source_amount")
        quotes = body.get("destination_network_quotes")
        check.that(isinstance(quotes, dict) and bool(quotes), "expected destination_network_quotes keyed by network",
                   answer, req, json_path="$.destination_network_quotes")
        stray = [
            (network, row.get("destination_network"))
            for network, rows in (quotes or {}).items()
            for row in rows or []
            if isinstance(row, dict) and row.get("destination_network") != network
        ]
        check.that(not stray, f"expected each quote under its own network, got {stray[:3]}", answer, req,
                   json_path="$.destination_network_quotes")
    filtered = stripe_client.get(QUOTES, {"source_amount": "200", "destination_networks": ["ethereum"]})
    req = "crypto_onramp.quote.network-filter"
    body = check.status(filtered, 200, req)
    quoted = [network for network, rows in (body.get("destination_network_quotes") or {}).items() if rows]
    check.that(quoted == ["ethereum"], f"expected quotes for ethereum only, got quotes for {quoted}", filtered, req,
               json_path="$.destination_network_quotes")


@requires("crypto_onramp.quote.amounts-exclusive")
def test_quotes_refuse_both_amounts(stripe_client: StripeClient, check: Verifier) -> None:
    both = stripe_client.get(QUOTES, {"source_amount": "200", "destination_amount": "1",
                                      "destination_networks": ["ethereum"], "destination_currencies": ["eth"]})
    require_route(both, FEATURE)
    check.error(both, status=400)
