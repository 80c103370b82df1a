"""Idempotency-Key handling on POST requests."""

from __future__ import annotations


def test_replay_returns_the_same_response_without_executing(client) -> None:
    headers = {"Idempotency-Key": "key-1"}
    first = client.post("/v1/customers", {"email": "a@example.com"}, headers=headers)
    second = client.post("/v1/customers", {"email": "a@example.com"}, headers=headers)
    assert first.status == second.status == 200
    assert second.raw == first.raw
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert second.headers["request-id"] != first.headers["request-id"]
    assert second.headers["original-request"] == first.headers["request-id"]
    assert len(client.get("/v1/customers").body["data"]) == 1


def test_replay_of_card_creation(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}/sources"
    headers = {"Idempotency-Key": "card-key"}
    first = client.post(path, {"source": "tok_visa"}, headers=headers)
    second = client.post(path, {"source": "tok_visa"}, headers=headers)
    assert second.body == first.body
    assert len(client.get(path).body["data"]) == 1


def test_card_errors_are_replayed(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}/sources"
    params = {"source": {"object": "card", "number": "4242424242424241", "exp_month": "1", "exp_year": "2090"}}
    headers = {"Idempotency-Key": "declined"}
    first = client.post(path, params, headers=headers)
    second = client.post(path, params, headers=headers)
    assert first.status == second.status == 402
    assert second.raw == first.raw
    assert second.headers["idempotent-replayed"] == "true"


def test_same_key_different_params_is_an_idempotency_error(client) -> None:
    headers = {"Idempotency-Key": "key-2"}
    client.post("/v1/customers", {"email": "a@example.com"}, headers=headers)
    reply = client.post("/v1/customers", {"email": "b@example.com"}, headers=headers)
    assert reply.status == 400
    assert reply.error["type"] == "idempotency_error"
    assert reply.error["message"]
    assert len(client.get("/v1/customers").body["data"]) == 1


def test_same_key_different_path_is_an_idempotency_error(client, customer) -> None:
    headers = {"Idempotency-Key": "key-3"}
    client.post(f"/v1/customers/{customer['id']}", {"name": "x"}, headers=headers)
    reply = client.post("/v1/customers", {"name": "x"}, headers=headers)
    assert reply.status == 400
    assert reply.error["type"] == "idempotency_error"


def test_keys_are_scoped_per_api_key(make_client, store) -> None:
    first = make_client(store, key="sk_test_one")
    second = make_client(store, key="sk_test_two")
    headers = {"Idempotency-Key": "shared"}
    a = first.post("/v1/customers", {"email": "a@example.com"}, headers=headers)
    b = second.post("/v1/customers", {"email": "b@example.com"}, headers=headers)
    assert a.status == b.status == 200
    assert a.body["id"] != b.body["id"]


def test_validation_failures_are_not_recorded(client) -> None:
    headers = {"Idempotency-Key": "fix-and-retry"}
    bad = client.post("/v1/customers", {"emial": "a@example.com"}, headers=headers)
    assert bad.status == 400
    good = client.post("/v1/customers", {"email": "a@example.com"}, headers=headers)
    assert good.status == 200
    assert "idempotent-replayed" not in good.headers


def test_without_key_every_post_executes(client) -> None:
    client.post("/v1/customers", {"email": "a@example.com"})
    client.post("/v1/customers", {"email": "a@example.com"})
    assert len(client.get("/v1/customers").body["data"]) == 2


def test_key_too_long(client) -> None:
    reply = client.post("/v1/customers", headers={"Idempotency-Key": "k" * 256})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
