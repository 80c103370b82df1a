"""The reference server's other objects (seeds/000): webhook endpoint CRUD, the seed-000 lists' shared rules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from conformance.http import StripeClient
from conformance.reference import ReferenceServer, Store
from conformance.reference.other_objects import MAX_TEST_WEBHOOK_ENDPOINTS

KEY = "sk_test_otherobjects123"
HOOK = {"url": "https://example.com/hooks/a", "enabled_events": ["customer.created"]}


@pytest.fixture
def client() -> Iterator[StripeClient]:
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        yield client
        client.close()


def test_webhook_endpoint_lifecycle_shows_the_secret_only_on_create(client: StripeClient) -> None:
    created = client.post("/v1/webhook_endpoints", {**HOOK, "description": "d", "metadata": {"k": "v"}})
    assert created.status == 200
    body = created.json()
    assert body["object"] == "webhook_endpoint"
    assert body["secret"].startswith("whsec_")
    assert body["metadata"] == {"k": "v"}
    endpoint = body["id"]

    retrieved = client.get(f"/v1/webhook_endpoints/{endpoint}")
    assert retrieved.status == 200
    assert "secret" not in retrieved.json()

    updated = client.post(f"/v1/webhook_endpoints/{endpoint}", {"disabled": "true", "url": "https://example.com/b"})
    assert updated.json()["status"] == "disabled"
    assert updated.json()["url"] == "https://example.com/b"
    assert "secret" not in updated.json()
    assert client.get(f"/v1/webhook_endpoints/{endpoint}").json() == updated.json()

    listed = client.get("/v1/webhook_endpoints")
    assert [item["id"] for item in listed.json()["data"]] == [endpoint]
    assert all("secret" not in item for item in listed.json()["data"])

    deleted = client.delete(f"/v1/webhook_endpoints/{endpoint}")
    assert deleted.json() == {"id": endpoint, "object": "webhook_endpoint", "deleted": True}
    gone = client.get(f"/v1/webhook_endpoints/{endpoint}")
    assert gone.status == 404
    assert gone.json()["error"]["code"] == "resource_missing"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"enabled_events": ["customer.created"]}, "url"),
        ({"url": "https://example.com/x"}, "enabled_events"),
        ({**HOOK, "url": "not a url"}, "url"),
        ({**HOOK, "enabled_events": ["nope.never"]}, "enabled_events[0]"),
        ({**HOOK, "metadata": {"k" * 41: "v"}}, f"metadata[{'k' * 41}]"),
        ({**HOOK, "bogus": "1"}, "bogus"),
    ],
)
def test_webhook_endpoint_create_validates_each_parameter(
    client: StripeClient, params: dict[str, object], param: str
) -> None:
    response = client.post("/v1/webhook_endpoints", params)
    assert response.status == 400
    assert response.json()["error"]["param"] == param


def test_test_mode_account_holds_at_most_sixteen_webhook_endpoints(client: StripeClient) -> None:
    for _ in range(MAX_TEST_WEBHOOK_ENDPOINTS):
        assert client.post("/v1/webhook_endpoints", HOOK).status == 200
    refused = client.post("/v1/webhook_endpoints", HOOK)
    assert refused.status == 400
    assert refused.json()["error"]["type"] == "invalid_request_error"


SEED_000_LISTS = [
    "/v1/identity/verification_reports",
    "/v1/crypto/onramp_sessions",
    "/v1/climate/orders",
    "/v1/climate/products",
    "/v1/climate/suppliers",
    "/v1/forwarding/requests",
]


@pytest.mark.parametrize("path", SEED_000_LISTS)
def test_list_and_retrieve_rules_of_the_seed_000_objects(client: StripeClient, path: str) -> None:
    listed = client.get(path, {"limit": 3})
    assert listed.status == 200
    assert listed.json()["object"] == "list" and listed.json()["url"] == path
    assert len(listed.json()["data"]) <= 3
    missing = client.get(f"{path}/xyz_123")
    assert missing.status == 404
    assert missing.json()["error"]["code"] == "resource_missing"
    assert client.get(path, {"limit": 0}).json()["error"]["param"] == "limit"
    assert client.get(path, {"starting_after": "xyz_1"}).json()["error"]["param"] == "starting_after"
    assert client.get(path, {"bogus": "1"}).json()["error"]["code"] == "parameter_unknown"


@pytest.mark.parametrize("path", ["/v1/crypto/onramp_sessions", "/v1/climate/orders", "/v1/forwarding/requests"])
def test_objects_the_account_makes_start_empty(client: StripeClient, path: str) -> None:
    assert client.get(path).json() == {"object": "list", "data": [], "has_more": False, "url": path}


@pytest.mark.parametrize(
    ("path", "count"),
    [("/v1/identity/verification_reports", 6), ("/v1/climate/products", 2), ("/v1/climate/suppliers", 3)],
)
def test_catalogue_objects_are_seeded_the_same_in_every_store(path: str, count: int) -> None:
    bodies = []
    for _ in range(2):
        with ReferenceServer() as server:
            bodies.append(StripeClient(server.url, KEY).get(path, {"limit": 100}).json())
    assert len(bodies[0]["data"]) == count
    assert bodies[0] == bodies[1]


def test_onramp_quotes_answer_a_quote_object(client: StripeClient) -> None:
    response = client.get("/v1/crypto/onramp/quotes")
    assert response.status == 200
    assert response.json()["object"] == "crypto.onramp_quote"


def test_a_path_holding_a_newline_still_gets_the_error_envelope(client: StripeClient) -> None:
    response = client.get("/v1/climate/orders/%0A0")
    assert response.status == 404
    assert response.json()["error"]["type"] == "invalid_request_error"


def test_a_store_subclass_can_swap_the_other_objects_rules() -> None:
    from conformance.reference.other_objects import OtherObjects

    class NoLimit(OtherObjects):
        def validate_url(self, value: object) -> str:
            return str(value)

    class LenientStore(Store):
        other_objects_class = NoLimit

    with ReferenceServer(store=LenientStore()) as server:
        client = StripeClient(server.url, KEY)
        assert client.post("/v1/webhook_endpoints", {**HOOK, "url": "not a url"}).status == 200
