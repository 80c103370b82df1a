"""The reference server's seed-000 APIs: forwarding redaction, climate rules, quotes, report filters."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from conformance.http import StripeClient
from conformance.reference import ReferenceServer
from conformance.reference.forwarding import Exchange, inject, mask_digits, redact
from conformance.reference.tokens import TEST_TOKENS

KEY = "sk_test_seedzerozero1"
VISA = TEST_TOKENS["tok_visa"]


@pytest.fixture
def client() -> Iterator[StripeClient]:
    with ReferenceServer() as server:
        yield StripeClient(server.url, KEY)


def test_injection_fills_only_the_listed_replacements() -> None:
    body = json.dumps({"card": {"number": "", "cvc": "", "holderName": ""}, "amount": 5})
    filled = json.loads(inject(body, VISA, ["card_number"]))
    assert filled == {"card": {"number": VISA.number, "cvc": "", "holderName": ""}, "amount": 5}
    assert inject("not json", VISA, ["card_number"]) == "not json"


def test_redaction_masks_numbers_cvcs_and_credential_headers() -> None:
    outbound = Exchange(
        (("Authorization", "Bearer abc"), ("X-Api-Key", "k1"), ("Accept", "application/json")),
        json.dumps({"number": VISA.number, "cvc": "123", "note": f"pan {VISA.number} inline"}),
    )
    stored = redact(outbound)
    assert dict(stored.headers) == {"Authorization": "[REDACTED]", "X-Api-Key": "[REDACTED]",
                                    "Accept": "application/json"}
    body = json.loads(stored.body)
    assert body["number"] == VISA.number[:6] + "******" + VISA.number[-4:]
    assert body["cvc"] == "***"
    assert VISA.number not in stored.body
    assert mask_digits("id 12345 stays") == "id 12345 stays"


def test_forwarding_never_answers_a_card_number_and_replays_per_key(client: StripeClient) -> None:
    params = {"payment_method": "pm_card_visa", "url": "https://example.com/pay", "replacements": ["card_number"],
              "request": {"body": json.dumps({"number": ""})}}
    first = client.post("/v1/forwarding/requests", params, idempotency_key="fwd-key-1")
    again = client.post("/v1/forwarding/requests", params, idempotency_key="fwd-key-1")
    assert first.status == again.status == 200
    assert first.json()["id"] == again.json()["id"]
    assert VISA.number not in first.text
    assert len(client.get("/v1/forwarding/requests").json()["data"]) == 1
    unknown_pm = client.post("/v1/forwarding/requests", {**params, "payment_method": "pm_nope"})
    assert unknown_pm.json()["error"]["param"] == "payment_method"
    plain_http = client.post("/v1/forwarding/requests", {**params, "url": "http://example.com/pay"})
    assert plain_http.json()["error"]["param"] == "url"


def test_climate_order_amounts_follow_the_catalogue_price(client: StripeClient) -> None:
    product = client.get("/v1/climate/products/climsku_reference_portfolio_2027").json()
    price = product["current_prices_per_metric_ton"]["usd"]
    order = client.post("/v1/climate/orders", {"product": product["id"], "metric_tons": "2"}).json()
    assert order["amount_subtotal"] == 2 * price["amount_subtotal"]
    assert order["amount_fees"] == 2 * price["amount_fees"]
    assert order["metric_tons"] == "2" and order["status"] == "open"
    by_amount = client.post("/v1/climate/orders", {"product": product["id"], "amount": price["amount_subtotal"]})
    assert by_amount.json()["metric_tons"] == "1"
    too_many = client.post("/v1/climate/orders", {"product": product["id"], "metric_tons": "999999999"})
    assert too_many.json()["error"]["param"] == "metric_tons"
    unknown = client.post("/v1/climate/orders", {"product": "climsku_nope", "metric_tons": "1"})
    assert unknown.status == 400 and unknown.json()["error"]["code"] == "resource_missing"


def test_a_canceled_order_refuses_updates(client: StripeClient) -> None:
    order = client.post("/v1/climate/orders", {"product": "climsku_reference_weathering_2030", "metric_tons": "1"})
    path = f"/v1/climate/orders/{order.json()['id']}"
    assert client.post(f"{path}/cancel").json()["status"] == "canceled"
    refused = client.post(path, {"metadata": {"k": "v"}})
    assert refused.status == 400
    assert client.get(path).json()["metadata"] == {}


def test_quotes_are_deterministic_and_need_one_pair_for_a_destination_amount(client: StripeClient) -> None:
    params = {"source_amount": "150", "destination_networks": ["solana", "polygon"]}
    first, second = client.get("/v1/crypto/onramp/quotes", params).json(), client.get(
        "/v1/crypto/onramp/quotes", params).json()
    assert first["destination_network_quotes"] == second["destination_network_quotes"]
    assert set(first["destination_network_quotes"]) == {"solana", "polygon"}
    loose = client.get("/v1/crypto/onramp/quotes", {"destination_amount": "1"})
    assert loose.status == 400 and loose.json()["error"]["param"] == "destination_amount"
    exact = client.get("/v1/crypto/onramp/quotes", {"destination_amount": "1", "destination_networks": ["ethereum"],
                                                    "destination_currencies": ["eth"]})
    assert exact.json()["destination_network_quotes"]["ethereum"][0]["destination_amount"].startswith("1.")


def test_report_filters_combine(client: StripeClient) -> None:
    found = client.get("/v1/identity/verification_reports",
                       {"type": "document", "client_reference_id": "customer-grace"}).json()["data"]
    assert [r["id"] for r in found] == ["vr_reference_report_3"]
    assert client.get("/v1/identity/verification_reports", {"type": "selfie"}).json()["error"]["param"] == "type"
