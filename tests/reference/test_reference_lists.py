"""List endpoints: ordering, limit bounds, has_more, cursors and filters."""

from __future__ import annotations

import pytest


@pytest.fixture
def cards(client, customer, add_card):
    """Return the ids of 5 cards, oldest first."""
    return [add_card(customer["id"])["id"] for _ in range(5)]


def ids(body) -> list[str]:
    return [item["id"] for item in body["data"]]


@pytest.mark.parametrize("family", ["sources", "cards"])
def test_list_shape_and_newest_first(client, customer, cards, family) -> None:
    path = f"/v1/customers/{customer['id']}/{family}"
    body = client.get(path).body
    assert body["object"] == "list"
    assert body["url"] == path
    assert body["has_more"] is False
    assert ids(body) == cards[::-1]
    assert all(item["object"] == "card" for item in body["data"])


def test_empty_list(client, customer) -> None:
    body = client.get(f"/v1/customers/{customer['id']}/sources").body
    assert body == {"object": "list", "data": [], "has_more": False, "url": f"/v1/customers/{customer['id']}/sources"}


def test_default_limit_is_ten(client, customer, add_card) -> None:
    created = [add_card(customer["id"])["id"] for _ in range(11)]
    body = client.get(f"/v1/customers/{customer['id']}/cards").body
    assert ids(body) == created[::-1][:10]
    assert body["has_more"] is True


@pytest.mark.parametrize("limit", ["0", "101", "-1", "abc", "2.5", ""])
@pytest.mark.parametrize("path", ["/v1/customers", "/v1/customers/{id}/sources", "/v1/customers/{id}/cards"])
def test_limit_out_of_bounds(client, customer, limit, path) -> None:
    reply = client.get(path.format(id=customer["id"]), {"limit": limit})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["param"] == "limit"


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_accepted(client, customer, cards, limit) -> None:
    reply = client.get(f"/v1/customers/{customer['id']}/sources", {"limit": limit})
    assert reply.status == 200
    assert len(reply.body["data"]) == min(int(limit), 5)


@pytest.mark.parametrize(("count", "has_more"), [(2, False), (3, False), (4, True)])
def test_has_more_around_the_limit(client, customer, add_card, count, has_more) -> None:
    for _ in range(count):
        add_card(customer["id"])
    body = client.get(f"/v1/customers/{customer['id']}/sources", {"limit": "3"}).body
    assert len(body["data"]) == min(count, 3)
    assert body["has_more"] is has_more


@pytest.mark.parametrize(("count", "has_more"), [(2, False), (3, False), (4, True)])
def test_customer_list_has_more_around_the_limit(client, count, has_more) -> None:
    for _ in range(count):
        client.post("/v1/customers")
    body = client.get("/v1/customers", {"limit": "3"}).body
    assert len(body["data"]) == min(count, 3)
    assert body["has_more"] is has_more


def test_starting_after_is_exclusive(client, customer, cards) -> None:
    path = f"/v1/customers/{customer['id']}/sources"
    newest_first = cards[::-1]
    for index, cursor in enumerate(newest_first):
        body = client.get(path, {"starting_after": cursor, "limit": "2"}).body
        assert ids(body) == newest_first[index + 1 : index + 3]
        assert body["has_more"] is (len(newest_first) - index - 1 > 2)


def test_ending_before_is_exclusive(client, customer, cards) -> None:
    path = f"/v1/customers/{customer['id']}/cards"
    newest_first = cards[::-1]
    for index, cursor in enumerate(newest_first):
        body = client.get(path, {"ending_before": cursor, "limit": "2"}).body
        assert ids(body) == newest_first[max(0, index - 2) : index]
        assert body["has_more"] is (index > 2)


def test_walk_forward_then_backward(client, customer, cards) -> None:
    path = f"/v1/customers/{customer['id']}/sources"
    pages = []
    body = client.get(path, {"limit": "2"}).body
    pages.append(ids(body))
    while body["has_more"]:
        body = client.get(path, {"limit": "2", "starting_after": body["data"][-1]["id"]}).body
        pages.append(ids(body))
    assert pages == [cards[::-1][0:2], cards[::-1][2:4], cards[::-1][4:5]]
    backwards = [pages[-1]]
    body = client.get(path, {"limit": "2", "ending_before": pages[-1][0]}).body
    backwards.append(ids(body))
    while body["has_more"]:
        body = client.get(path, {"limit": "2", "ending_before": body["data"][0]["id"]}).body
        backwards.append(ids(body))
    assert backwards == [cards[::-1][4:5], cards[::-1][2:4], cards[::-1][0:2]]


def test_walk_customers(client) -> None:
    created = [client.post("/v1/customers").body["id"] for _ in range(7)]
    seen = []
    body = client.get("/v1/customers", {"limit": "3"}).body
    seen += ids(body)
    while body["has_more"]:
        body = client.get("/v1/customers", {"limit": "3", "starting_after": seen[-1]}).body
        seen += ids(body)
    assert seen == created[::-1]


def test_both_cursors_rejected(client, customer, cards) -> None:
    for path in (f"/v1/customers/{customer['id']}/sources", "/v1/customers"):
        reply = client.get(path, {"starting_after": cards[0], "ending_before": cards[1]})
        assert reply.status == 400
        assert reply.error["type"] == "invalid_request_error"


@pytest.mark.parametrize("cursor", ["starting_after", "ending_before"])
def test_unknown_cursor(client, customer, cards, add_card, cursor) -> None:
    other = client.post("/v1/customers").body
    foreign = add_card(other["id"])["id"]
    for bad in ("card_unknown", foreign):
        reply = client.get(f"/v1/customers/{customer['id']}/sources", {cursor: bad})
        assert reply.status in (400, 404)
        assert reply.error["type"] == "invalid_request_error"
        assert reply.error["code"] == "resource_missing"
        assert reply.error["param"] == cursor
    reply = client.get("/v1/customers", {cursor: "cus_unknown"})
    assert reply.status in (400, 404)
    assert reply.error["param"] == cursor


def test_deleted_card_is_not_a_cursor(client, customer, cards) -> None:
    client.delete(f"/v1/customers/{customer['id']}/sources/{cards[2]}")
    reply = client.get(f"/v1/customers/{customer['id']}/sources", {"starting_after": cards[2]})
    assert reply.error["code"] == "resource_missing"


def test_object_filter(client, customer, cards) -> None:
    path = f"/v1/customers/{customer['id']}/sources"
    assert ids(client.get(path, {"object": "card"}).body) == cards[::-1]
    assert ids(client.get(path, {"object": "bank_account"}).body) == []
    reply = client.get(f"/v1/customers/{customer['id']}/cards", {"object": "card"})
    assert reply.status == 400
    assert reply.error["param"] == "object"


def test_list_expand_data_customer(client, customer, cards) -> None:
    body = client.get(f"/v1/customers/{customer['id']}/sources", {"expand": ["data.customer"]}).body
    assert all(item["customer"]["id"] == customer["id"] for item in body["data"])
    assert client.get(f"/v1/customers/{customer['id']}/sources", {"expand": ["customer"]}).status == 400


def test_list_of_missing_customer(client) -> None:
    reply = client.get("/v1/customers/cus_missing/cards")
    assert reply.status == 404
    assert reply.error["code"] == "resource_missing"


def test_same_second_ties_keep_insertion_order(client, store, customer, add_card) -> None:
    store.now = lambda: 1_700_000_000  # freeze the clock: every card shares one `created`
    created = [add_card(customer["id"])["id"] for _ in range(4)]
    assert ids(client.get(f"/v1/customers/{customer['id']}/sources").body) == created[::-1]
    body = client.get(f"/v1/customers/{customer['id']}/sources", {"starting_after": created[2], "limit": "1"}).body
    assert ids(body) == [created[1]]
    assert body["has_more"] is True
