"""Customers: create, retrieve, update, delete, list, metadata, expansion and versions."""

from __future__ import annotations

import pytest

CUSTOMER_FIELDS = {
    "id",
    "object",
    "address",
    "balance",
    "created",
    "currency",
    "default_source",
    "delinquent",
    "description",
    "discount",
    "email",
    "invoice_prefix",
    "invoice_settings",
    "livemode",
    "metadata",
    "name",
    "next_invoice_sequence",
    "phone",
    "preferred_locales",
    "shipping",
    "tax_exempt",
    "test_clock",
}


def test_create_customer(client) -> None:
    reply = client.post(
        "/v1/customers",
        {
            "email": "jenny@example.com",
            "name": "Jenny Rosen",
            "description": "VIP",
            "phone": "+15555550100",
            "metadata": {"order": "6735"},
        },
    )
    assert reply.status == 200
    body = reply.body
    assert set(body) == CUSTOMER_FIELDS
    assert body["id"].startswith("cus_")
    assert body["object"] == "customer"
    assert body["email"] == "jenny@example.com"
    assert body["name"] == "Jenny Rosen"
    assert body["description"] == "VIP"
    assert body["phone"] == "+15555550100"
    assert body["metadata"] == {"order": "6735"}
    assert body["livemode"] is False
    assert body["default_source"] is None
    assert body["balance"] == 0
    assert body["delinquent"] is False
    assert body["tax_exempt"] == "none"
    assert body["preferred_locales"] == []
    assert isinstance(body["created"], int)
    assert client.get(f"/v1/customers/{body['id']}").body == body


def test_create_empty_customer(client) -> None:
    body = client.post("/v1/customers").body
    assert body["email"] is None
    assert body["metadata"] == {}


def test_create_customer_with_source_sets_default(client) -> None:
    body = client.post("/v1/customers", {"source": "tok_mastercard"}).body
    assert body["default_source"].startswith("card_")
    card = client.get(f"/v1/customers/{body['id']}/cards/{body['default_source']}").body
    assert card["brand"] == "MasterCard"
    assert card["customer"] == body["id"]


def test_create_customer_with_bad_source_creates_nothing(client) -> None:
    reply = client.post("/v1/customers", {"email": "x@example.com", "source": "tok_nope"})
    assert reply.status == 400
    assert reply.error["code"] == "resource_missing"
    assert reply.error["param"] == "source"
    assert client.get("/v1/customers").body["data"] == []


def test_default_source_is_not_a_create_param(client) -> None:
    reply = client.post("/v1/customers", {"default_source": "card_123"})
    assert reply.status == 400
    assert reply.error["code"] == "parameter_unknown"
    assert reply.error["param"] == "default_source"


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "1" * 21}, "phone"),
        ({"name": "n" * 257}, "name"),
        ({"name": {"first": "J"}}, "name"),
        ({"balance": "ten"}, "balance"),
        ({"tax_exempt": "sometimes"}, "tax_exempt"),
        ({"metadata": "nope"}, "metadata"),
        ({"address": {"planet": "Mars"}}, "address[planet]"),
    ],
)
def test_create_customer_rejects_bad_values(client, params, param) -> None:
    reply = client.post("/v1/customers", params)
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["param"] == param


def test_update_customer_fields(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}"
    reply = client.post(path, {"email": "new@example.com", "description": "d", "phone": "123", "name": "N"})
    assert reply.status == 200
    body = client.get(path).body
    assert (body["email"], body["description"], body["phone"], body["name"]) == ("new@example.com", "d", "123", "N")
    cleared = client.post(path, "email=&name=&description=&phone=").body
    assert (cleared["email"], cleared["description"], cleared["phone"], cleared["name"]) == (None, None, None, None)


def test_update_customer_other_fields(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}"
    body = client.post(
        path,
        {
            "balance": "-500",
            "tax_exempt": "exempt",
            "preferred_locales": ["fr", "en"],
            "address": {"line1": "1 Main St", "city": "Springfield"},
        },
    ).body
    assert body["balance"] == -500
    assert body["tax_exempt"] == "exempt"
    assert body["preferred_locales"] == ["fr", "en"]
    assert body["address"] == {
        "city": "Springfield",
        "country": None,
        "line1": "1 Main St",
        "line2": None,
        "postal_code": None,
        "state": None,
    }
    reset = client.post(path, "address=&preferred_locales=&tax_exempt=").body
    assert reset["address"] is None
    assert reset["preferred_locales"] == []
    assert reset["tax_exempt"] == "none"


def test_update_missing_customer_is_404(client) -> None:
    reply = client.post("/v1/customers/cus_missing", {"name": "x"})
    assert reply.status == 404
    assert reply.error["code"] == "resource_missing"


def test_metadata_merge_unset_one_and_unset_all(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}"
    assert client.post(path, {"metadata": {"a": "1", "b": "2"}}).body["metadata"] == {"a": "1", "b": "2"}
    assert client.post(path, {"metadata": {"c": "3", "a": "9"}}).body["metadata"] == {"a": "9", "b": "2", "c": "3"}
    assert client.post(path, "metadata[b]=").body["metadata"] == {"a": "9", "c": "3"}
    assert client.post(path, "metadata=").body["metadata"] == {}
    assert client.get(path).body["metadata"] == {}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ("metadata[" + "k" * 41 + "]=v", "metadata[" + "k" * 41 + "]"),
        ("metadata[k]=" + "v" * 501, "metadata[k]"),
        ("metadata[k][nested]=v", "metadata[k]"),
        ("&".join(f"metadata[k{index}]=v" for index in range(51)), "metadata"),
    ],
)
def test_metadata_limits(client, customer, body: str, param: str) -> None:
    path = f"/v1/customers/{customer['id']}"
    client.post(path, {"metadata": {"keep": "me"}})
    reply = client.post(path, body)
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["param"] == param
    assert client.get(path).body["metadata"] == {"keep": "me"}


def test_metadata_limit_boundaries_accepted(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}"
    fifty = "&".join(f"metadata[k{index}]=v" for index in range(50))
    assert len(client.post(path, fifty).body["metadata"]) == 50
    assert client.post(path, "metadata=").status == 200
    reply = client.post(path, "metadata[" + "k" * 40 + "]=" + "v" * 500)
    assert reply.status == 200


def test_metadata_limit_counts_merged_keys(client, customer) -> None:
    path = f"/v1/customers/{customer['id']}"
    client.post(path, "&".join(f"metadata[a{index}]=v" for index in range(30)))
    reply = client.post(path, "&".join(f"metadata[b{index}]=v" for index in range(21)))
    assert reply.status == 400
    assert reply.error["param"] == "metadata"
    # unsetting keys in the same request frees room
    body = "&".join(
        [*(f"metadata[a{index}]=" for index in range(10)), *(f"metadata[b{index}]=v" for index in range(21))]
    )
    assert len(client.post(path, body).body["metadata"]) == 41


def test_delete_customer_and_its_cards(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}"
    reply = client.delete(path)
    assert reply.status == 200
    assert reply.body == {"id": customer["id"], "object": "customer", "deleted": True}
    assert client.get(path).body == {"id": customer["id"], "object": "customer", "deleted": True}
    assert client.get(f"{path}/sources/{card['id']}").status == 404
    assert client.get(f"{path}/sources").status == 404
    assert client.post(path, {"name": "x"}).status == 404
    assert client.delete(path).status == 404
    assert client.get("/v1/customers").body["data"] == []


def test_update_default_source(client, customer, add_card) -> None:
    first = add_card(customer["id"])
    second = add_card(customer["id"], "tok_amex")
    path = f"/v1/customers/{customer['id']}"
    assert client.get(path).body["default_source"] == first["id"]
    assert client.post(path, {"default_source": second["id"]}).body["default_source"] == second["id"]


def test_default_source_must_belong_to_customer(client, customer, add_card) -> None:
    other = client.post("/v1/customers").body
    foreign = add_card(other["id"])
    own = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}"
    for bad in (foreign["id"], "card_doesnotexist"):
        reply = client.post(path, {"default_source": bad, "name": "changed?"})
        assert reply.status in (400, 404)
        assert reply.error["code"] == "resource_missing"
        assert reply.error["param"] == "default_source"
    body = client.get(path).body
    assert body["default_source"] == own["id"]
    assert body["name"] == "Jenny Rosen"


def test_update_source_replaces_default(client, customer, add_card) -> None:
    first = add_card(customer["id"])
    other = add_card(customer["id"], "tok_discover")
    body = client.post(f"/v1/customers/{customer['id']}", {"source": "tok_jcb"}).body
    new_default = body["default_source"]
    assert new_default not in (first["id"], other["id"])
    listed = client.get(f"/v1/customers/{customer['id']}/sources").body["data"]
    assert [card["id"] for card in listed] == [new_default, other["id"]]
    assert client.get(f"/v1/customers/{customer['id']}/sources/{first['id']}").status == 404


def test_expand_sources_and_version_embedding(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}"
    plain = client.get(path).body
    assert "sources" not in plain
    pinned = client.get(path, headers={"Stripe-Version": "2023-08-16"}).body
    assert "sources" not in pinned
    expanded = client.get(path, "expand[]=sources").body
    assert expanded["sources"] == {
        "object": "list",
        "data": [client.get(f"{path}/sources/{card['id']}").body],
        "has_more": False,
        "url": f"{path}/sources",
    }
    old = client.get(path, headers={"Stripe-Version": "2019-12-03"}).body
    assert old["sources"] == expanded["sources"]
    assert old["subscriptions"]["data"] == []
    assert "sources" in client.get(path, headers={"Stripe-Version": "2020-08-26"}).body
    assert "sources" not in client.get(path, headers={"Stripe-Version": "2020-08-27"}).body


def test_embedded_sources_show_ten_newest(client, customer, add_card) -> None:
    cards = [add_card(customer["id"])["id"] for _ in range(12)]
    sources = client.get(f"/v1/customers/{customer['id']}", "expand[]=sources").body["sources"]
    assert [card["id"] for card in sources["data"]] == cards[::-1][:10]
    assert sources["has_more"] is True


def test_expand_default_source(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    body = client.get(f"/v1/customers/{customer['id']}", "expand[]=default_source").body
    assert body["default_source"] == card
    nested = client.get(f"/v1/customers/{customer['id']}", "expand[]=default_source.customer").body
    assert nested["default_source"]["customer"]["id"] == customer["id"]
    empty = client.post("/v1/customers").body
    assert client.get(f"/v1/customers/{empty['id']}", "expand[]=default_source").body["default_source"] is None


def test_expand_rejects_unknown_paths(client, customer) -> None:
    for path in ("email", "sources.data.bogus", "a.b.c.d.e"):
        reply = client.get(f"/v1/customers/{customer['id']}", {"expand": [path]})
        assert reply.status == 400
        assert reply.error["type"] == "invalid_request_error"


def test_list_customers_filters_by_email(client) -> None:
    for email in ("a@example.com", "b@example.com", "a@example.com"):
        client.post("/v1/customers", {"email": email})
    listed = client.get("/v1/customers", {"email": "a@example.com"}).body
    assert [c["email"] for c in listed["data"]] == ["a@example.com", "a@example.com"]
    assert listed["url"] == "/v1/customers"


def test_list_customers_created_filter(client, store) -> None:
    first = client.post("/v1/customers").body
    assert len(client.get("/v1/customers", {"created": {"gte": first["created"]}}).body["data"]) == 1
    assert client.get("/v1/customers", {"created": {"gt": first["created"]}}).body["data"] == []
    assert len(client.get("/v1/customers", {"created": str(first["created"])}).body["data"]) == 1
    assert client.get("/v1/customers", {"created": {"between": "1"}}).status == 400
