"""Authentication, headers, routing, API versions and error envelopes."""

from __future__ import annotations

import base64
import re

import pytest

from conformance.reference import Store
from conformance.reference.auth import mask_key

REQUEST_ID = re.compile(r"req_[A-Za-z0-9]+")


def basic(key: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{key}:{password}".encode()).decode()


def test_no_key_is_401(client) -> None:
    reply = client.get("/v1/customers", key=None)
    assert reply.status == 401
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["message"]


@pytest.mark.parametrize(
    "key",
    [
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "pk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_",
        "sk_test_abc-def",
        "rk_live_abc",
        "hello",
    ],
)
def test_bad_keys_are_401_and_masked(client, key: str) -> None:
    reply = client.get("/v1/customers", key=key)
    assert reply.status == 401
    assert reply.error["type"] == "invalid_request_error"
    if len(key) > 8:
        assert key not in reply.error["message"]


def test_mask_key_keeps_prefix_and_last_four() -> None:
    assert mask_key("sk_live_4eC39HqLyjWDarjtT1zdp7dc") == "sk_live_****p7dc"
    assert mask_key("short") == "****"


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer sk_test_abc123",
        "bearer sk_test_abc123",
        "Bearer rk_test_abc123",
        basic("sk_test_abc123"),
        basic("sk_test_abc123", "ignored-password"),
        basic("rk_test_XYZ9"),
    ],
)
def test_good_keys(make_client, authorization: str) -> None:
    client = make_client(key=None)
    reply = client.get("/v1/customers", headers={"Authorization": authorization})
    assert reply.status == 200, reply.body
    assert reply.body["object"] == "list"


@pytest.mark.parametrize("authorization", ["Basic !!!notbase64", basic("sk_live_abc"), "Token sk_test_abc", "Bearer "])
def test_bad_authorization_headers(make_client, authorization: str) -> None:
    reply = make_client(key=None).get("/v1/customers", headers={"Authorization": authorization})
    assert reply.status == 401
    assert reply.error["type"] == "invalid_request_error"


def test_every_response_has_json_request_id_and_version(client, customer) -> None:
    replies = [
        client.get("/v1/customers"),
        client.get(f"/v1/customers/{customer['id']}"),
        client.get("/v1/customers/cus_missing"),
        client.post("/v1/customers", {"bogus": "1"}),
        client.get("/v1/nothing"),
        client.get("/v1/customers", key=None),
        client.post("/v1/customers", "a[b=1"),
        client.delete(f"/v1/customers/{customer['id']}"),
    ]
    ids = set()
    for reply in replies:
        assert reply.headers["content-type"] == "application/json"
        assert REQUEST_ID.fullmatch(reply.headers["request-id"])
        assert reply.headers["stripe-version"] == "2023-08-16"
        assert isinstance(reply.body, dict)
        ids.add(reply.headers["request-id"])
    assert len(ids) == len(replies)


def test_stripe_version_is_echoed(client) -> None:
    reply = client.get("/v1/customers", headers={"Stripe-Version": "2019-12-03"})
    assert reply.headers["stripe-version"] == "2019-12-03"


@pytest.mark.parametrize("version", ["banana", "2023-13-45", "2023-08-16; drop"])
def test_invalid_stripe_version_is_400(client, version: str) -> None:
    reply = client.get("/v1/customers", headers={"Stripe-Version": version})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert "version" in reply.error["message"].lower()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/x"),
        ("GET", "/"),
        ("PUT", "/v1/customers"),
        ("PATCH", "/v1/customers/cus_123"),
        ("DELETE", "/v1/customers"),
        ("POST", "/v1/customers/cus_123/sources/card_1/extra"),
        ("OPTIONS", "/v1/customers"),
    ],
)
def test_unknown_routes_are_404(client, method: str, path: str) -> None:
    reply = client.request(method, path)
    assert reply.status == 404
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["message"].startswith(f"Unrecognized request URL ({method}: {path})")


def test_error_envelope_fields(client) -> None:
    reply = client.get("/v1/customers/cus_nope")
    assert reply.status == 404
    assert reply.error == {
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
        "message": "No such customer: 'cus_nope'",
        "param": "id",
        "request_log_url": f"https://dashboard.stripe.com/test/logs/{reply.headers['request-id']}",
        "type": "invalid_request_error",
    }


def test_unknown_param_on_every_endpoint(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    cus = customer["id"]
    calls = [
        ("POST", "/v1/customers"),
        ("GET", "/v1/customers"),
        ("GET", f"/v1/customers/{cus}"),
        ("POST", f"/v1/customers/{cus}"),
        ("GET", f"/v1/customers/{cus}/sources"),
        ("POST", f"/v1/customers/{cus}/sources"),
        ("GET", f"/v1/customers/{cus}/sources/{card['id']}"),
        ("POST", f"/v1/customers/{cus}/sources/{card['id']}"),
        ("DELETE", f"/v1/customers/{cus}/sources/{card['id']}"),
        ("GET", f"/v1/customers/{cus}/cards"),
        ("POST", f"/v1/customers/{cus}/cards"),
        ("GET", f"/v1/customers/{cus}/cards/{card['id']}"),
        ("POST", f"/v1/customers/{cus}/cards/{card['id']}"),
        ("DELETE", f"/v1/customers/{cus}/cards/{card['id']}"),
        ("DELETE", f"/v1/customers/{cus}"),
    ]
    for method, path in calls:
        reply = client.request(method, path, {"foo": "bar"})
        assert reply.status == 400, (method, path, reply.body)
        assert reply.error["code"] == "parameter_unknown"
        assert reply.error["param"] == "foo"
        assert reply.error["message"] == "Received unknown parameter: foo"
    # nothing was deleted by the rejected calls
    assert client.get(f"/v1/customers/{cus}/cards/{card['id']}").status == 200


class ExplodingStore(Store):
    def render_card(self, card):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")


def test_unexpected_exception_is_a_500_api_error_envelope(make_client) -> None:
    client = make_client(ExplodingStore())
    created = client.post("/v1/customers").body
    reply = client.post(f"/v1/customers/{created['id']}/sources", {"source": "tok_visa"})
    assert reply.status == 500
    assert reply.error["type"] == "api_error"
    assert REQUEST_ID.fullmatch(reply.headers["request-id"])
