"""Test-only scenarios for the canary test: raw card numbers and a careless key in the traffic and output.

Not collected by the project's test run (the file name does not start with ``test_``); the canary
test copies it next to a recording run of the whole suite.
"""

import logging

import pytest

PAN = "4242424242424242"
AMEX = "378282246310005"


def _customer(client):
    response = client.post("/v1/customers", {"description": "canary"})
    assert response.status == 200, response.text
    return response.json()["id"]


@pytest.mark.requirement("card.create.raw-card")
def test_raw_card_numbers_in_requests(stripe_client, check):
    customer = _customer(stripe_client)
    for number in (PAN, AMEX):
        card = {"object": "card", "number": number, "exp_month": 12, "exp_year": 2031, "cvc": "314"}
        response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": card})
        check.status(response, 200)
    legacy = stripe_client.post(f"/v1/customers/{customer}/cards", {"card": {"number": PAN, "cvc": "9876"}})
    assert legacy.status < 500


@pytest.mark.requirement("card.create.returns-card")
def test_failure_evidence_holds_a_raw_card_request(stripe_client, check):
    customer = _customer(stripe_client)
    card = {"object": "card", "number": PAN, "exp_month": 1, "exp_year": 2032, "cvc": "271"}
    response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": card})
    check.status(response, 418)  # fails on purpose: the report then carries the request and a curl line


@pytest.mark.requirement("auth.missing-key")
def test_careless_scenario_prints_and_asserts_with_the_key(stripe_client, stripe_target):
    key = stripe_target.api_key
    print(f"debug: using key {key} for card {PAN}")
    logging.getLogger("canary").warning("key %s card %s", key, PAN)
    response = stripe_client.get("/v1/customers", {"limit": 1})
    assert response.status == 999, f"unexpected status with key {key} and card {PAN}"
