"""Customer cards: adding, retrieving, updating, deleting and the default-source rule."""

from __future__ import annotations

import datetime
import re

import pytest

CARD_FIELDS = {
    "id",
    "object",
    "address_city",
    "address_country",
    "address_line1",
    "address_line1_check",
    "address_line2",
    "address_state",
    "address_zip",
    "address_zip_check",
    "brand",
    "country",
    "customer",
    "cvc_check",
    "dynamic_last4",
    "exp_month",
    "exp_year",
    "fingerprint",
    "funding",
    "last4",
    "metadata",
    "name",
    "tokenization_method",
}
CARD_ID = re.compile(r"card_[A-Za-z0-9]{24}")
TODAY = datetime.datetime.now(datetime.UTC).date()


@pytest.mark.parametrize(
    ("token", "brand", "last4", "funding"),
    [
        ("tok_visa", "Visa", "4242", "credit"),
        ("tok_visa_debit", "Visa", "5556", "debit"),
        ("tok_mastercard", "MasterCard", "4444", "credit"),
        ("tok_amex", "American Express", "0005", "credit"),
        ("tok_discover", "Discover", "1117", "credit"),
        ("tok_jcb", "JCB", "0505", "credit"),
        ("tok_unionpay", "UnionPay", "0005", "credit"),
    ],
)
@pytest.mark.parametrize("family", ["sources", "cards"])
def test_add_card_by_token(client, customer, token, brand, last4, funding, family) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/{family}", {"source": token})
    assert reply.status == 200, reply.body
    card = reply.body
    assert set(card) == CARD_FIELDS
    assert CARD_ID.fullmatch(card["id"])
    assert card["object"] == "card"
    assert (card["brand"], card["last4"], card["funding"]) == (brand, last4, funding)
    assert card["country"] == "US"
    assert card["customer"] == customer["id"]
    assert card["cvc_check"] == "pass"
    assert card["metadata"] == {}
    assert (card["exp_year"], card["exp_month"]) > (TODAY.year, TODAY.month)
    assert 1 <= card["exp_month"] <= 12
    assert isinstance(card["fingerprint"], str)
    assert card["fingerprint"]


def test_legacy_card_param(client, customer) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/cards", {"card": "tok_visa"})
    assert reply.status == 200
    assert reply.body["last4"] == "4242"


def test_token_is_reusable_and_fingerprint_is_stable(client, customer, add_card) -> None:
    first = add_card(customer["id"])
    second = add_card(customer["id"])
    other = add_card(customer["id"], "tok_mastercard")
    assert first["id"] != second["id"]
    assert first["fingerprint"] == second["fingerprint"] != other["fingerprint"]


def test_unknown_token(client, customer) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/sources", {"source": "tok_nope"})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["code"] == "resource_missing"
    assert reply.error["param"] == "source"
    assert "No such token" in reply.error["message"]


def test_source_is_required(client, customer) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/sources", {"metadata": {"a": "b"}})
    assert reply.status == 400
    assert reply.error["code"] == "parameter_missing"
    assert reply.error["param"] == "source"


def test_add_card_to_missing_customer(client) -> None:
    reply = client.post("/v1/customers/cus_missing/sources", {"source": "tok_visa"})
    assert reply.status == 404
    assert reply.error["code"] == "resource_missing"


def raw_card(**overrides: str) -> dict[str, str]:
    card = {
        "object": "card",
        "number": "4242424242424242",
        "exp_month": "12",
        "exp_year": str(TODAY.year + 2),
        "cvc": "123",
    }
    card.update(overrides)
    return {key: value for key, value in card.items() if value is not None}


def test_add_raw_card(client, customer) -> None:
    params = {
        "source": raw_card(
            name="Jenny Rosen",
            address_line1="1 Main St",
            address_zip="94107",
            address_city="SF",
            address_country="US",
        ),
        "metadata": {"via": "raw"},
    }
    reply = client.post(f"/v1/customers/{customer['id']}/sources", params)
    assert reply.status == 200, reply.body
    card = reply.body
    assert set(card) == CARD_FIELDS
    assert (card["brand"], card["last4"], card["exp_month"], card["exp_year"]) == ("Visa", "4242", 12, TODAY.year + 2)
    assert card["name"] == "Jenny Rosen"
    assert card["address_line1"] == "1 Main St"
    assert card["address_line1_check"] == "pass"
    assert card["address_zip_check"] == "pass"
    assert card["cvc_check"] == "pass"
    assert card["metadata"] == {"via": "raw"}


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("5555555555554444", "MasterCard"),
        ("2223003122003222", "MasterCard"),
        ("378282246310005", "American Express"),
        ("6011111111111117", "Discover"),
        ("3056930009020004", "Diners Club"),
        ("3566002020360505", "JCB"),
        ("6200000000000005", "UnionPay"),
        ("4242 4242 4242 4242", "Visa"),
    ],
)
def test_raw_card_brand_by_prefix(client, customer, number, brand) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/cards", {"card": raw_card(number=number)})
    assert reply.status == 200, reply.body
    assert reply.body["brand"] == brand


@pytest.mark.parametrize(
    ("overrides", "code", "param"),
    [
        ({"number": "4242424242424241"}, {"incorrect_number", "invalid_number"}, "number"),
        ({"number": "1234"}, {"incorrect_number", "invalid_number"}, "number"),
        ({"number": "4242abcd42424242"}, {"incorrect_number", "invalid_number"}, "number"),
        ({"exp_month": "13"}, {"invalid_expiry_month"}, "exp_month"),
        ({"exp_month": "0"}, {"invalid_expiry_month"}, "exp_month"),
        ({"exp_year": "2000"}, {"invalid_expiry_year"}, "exp_year"),
        ({"exp_year": str(TODAY.year - 1)}, {"invalid_expiry_year"}, "exp_year"),
        ({"cvc": "12"}, {"invalid_cvc"}, "cvc"),
        ({"cvc": "12345"}, {"invalid_cvc"}, "cvc"),
        ({"cvc": "abc"}, {"invalid_cvc"}, "cvc"),
    ],
)
def test_raw_card_errors(client, customer, overrides, code, param) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/sources", {"source": raw_card(**overrides)})
    assert reply.status == 402, reply.body
    assert reply.error["type"] == "card_error"
    assert reply.error["code"] in code
    assert reply.error["param"] == param
    assert client.get(f"/v1/customers/{customer['id']}/sources").body["data"] == []
    assert client.get(f"/v1/customers/{customer['id']}").body["default_source"] is None


@pytest.mark.parametrize(
    ("source", "param", "code"),
    [
        ({"object": "card", "exp_month": "1", "exp_year": "2040"}, "source[number]", "parameter_missing"),
        (
            {"object": "card", "number": "4242424242424242", "exp_year": "2040"},
            "source[exp_month]",
            "parameter_missing",
        ),
        ({"object": "card", "number": "4242424242424242", "exp_month": "1"}, "source[exp_year]", "parameter_missing"),
        ({**raw_card(), "colour": "red"}, "source[colour]", "parameter_unknown"),
        ({**raw_card(), "object": "bank_account"}, "source[object]", None),
    ],
)
def test_raw_card_request_errors(client, customer, source, param, code) -> None:
    reply = client.post(f"/v1/customers/{customer['id']}/sources", {"source": source})
    assert reply.status == 400
    assert reply.error["type"] == "invalid_request_error"
    assert reply.error["param"] == param
    assert reply.error.get("code") == code


def test_first_card_becomes_default_later_ones_do_not(client, customer, add_card) -> None:
    path = f"/v1/customers/{customer['id']}"
    first = add_card(customer["id"])
    assert client.get(path).body["default_source"] == first["id"]
    add_card(customer["id"], "tok_amex")
    add_card(customer["id"], "tok_jcb", family="cards")
    assert client.get(path).body["default_source"] == first["id"]


def test_retrieve_via_sources_and_cards_is_identical(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    via_sources = client.get(f"/v1/customers/{customer['id']}/sources/{card['id']}")
    via_cards = client.get(f"/v1/customers/{customer['id']}/cards/{card['id']}")
    assert via_sources.status == via_cards.status == 200
    assert via_sources.body == via_cards.body == card


def test_other_customers_card_is_404_everywhere(client, customer, add_card) -> None:
    other = client.post("/v1/customers").body
    card = add_card(other["id"])
    for family in ("sources", "cards"):
        path = f"/v1/customers/{customer['id']}/{family}/{card['id']}"
        for reply in (client.get(path), client.post(path, {"name": "x"}), client.delete(path)):
            assert reply.status == 404
            assert reply.error["type"] == "invalid_request_error"
            assert reply.error["code"] == "resource_missing"
            assert reply.error["param"] == "id"
    assert client.get(f"/v1/customers/{other['id']}/cards/{card['id']}").body == card


def test_missing_card_is_404(client, customer) -> None:
    reply = client.get(f"/v1/customers/{customer['id']}/cards/card_missing")
    assert reply.status == 404
    assert reply.error["code"] == "resource_missing"


@pytest.mark.parametrize("family", ["sources", "cards"])
def test_update_every_param_persists(client, customer, add_card, family) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/{family}/{card['id']}"
    changes = {
        "address_city": "Springfield",
        "address_country": "US",
        "address_line1": "742 Evergreen Terrace",
        "address_line2": "Apt 1",
        "address_state": "OR",
        "address_zip": "97403",
        "exp_month": "7",
        "exp_year": str(TODAY.year + 3),
        "name": "Homer Simpson",
        "metadata": {"nickname": "work"},
    }
    reply = client.post(path, changes)
    assert reply.status == 200, reply.body
    expected = {**changes, "exp_month": 7, "exp_year": TODAY.year + 3}
    for source in (reply.body, client.get(path).body):
        for key, value in expected.items():
            assert source[key] == value, key
        assert source["last4"] == card["last4"]
        assert source["fingerprint"] == card["fingerprint"]
        assert source["id"] == card["id"]


def test_update_two_digit_year(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/sources/{card['id']}"
    year = (TODAY.year + 4) % 100
    assert client.post(path, {"exp_year": str(year)}).body["exp_year"] == 2000 + year


def test_update_empty_strings_set_null(client, customer) -> None:
    card = client.post(
        f"/v1/customers/{customer['id']}/sources",
        {"source": raw_card(name="Jenny", address_line1="1 Main", address_zip="94107", address_city="SF")},
    ).body
    path = f"/v1/customers/{customer['id']}/sources/{card['id']}"
    body = client.post(path, "name=&address_line1=&address_zip=&address_city=").body
    assert (body["name"], body["address_line1"], body["address_zip"], body["address_city"]) == (None,) * 4
    assert body["address_line1_check"] is None
    assert body["address_zip_check"] is None


def test_card_metadata_merge_unset(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/cards/{card['id']}"
    assert client.post(path, {"metadata": {"a": "1", "b": "2"}}).body["metadata"] == {"a": "1", "b": "2"}
    assert client.post(path, {"metadata": {"c": "3"}}).body["metadata"] == {"a": "1", "b": "2", "c": "3"}
    assert client.post(path, "metadata[a]=").body["metadata"] == {"b": "2", "c": "3"}
    assert client.post(path, "metadata=").body["metadata"] == {}


@pytest.mark.parametrize(
    ("params", "status", "error_type", "param"),
    [
        ({"exp_month": "13"}, 402, "card_error", "exp_month"),
        ({"exp_month": "0"}, 402, "card_error", "exp_month"),
        ({"exp_month": "abc"}, 400, "invalid_request_error", "exp_month"),
        ({"exp_month": "7.5"}, 400, "invalid_request_error", "exp_month"),
        ({"exp_month": ""}, 400, "invalid_request_error", "exp_month"),
        ({"exp_year": "abc"}, 400, "invalid_request_error", "exp_year"),
        ({"exp_year": "2001"}, 402, "card_error", "exp_year"),
        ({"exp_year": str(TODAY.year - 1)}, 402, "card_error", "exp_year"),
        ({"name": "New", "exp_month": "13"}, 402, "card_error", "exp_month"),
        ({"exp_month": "13", "metadata": {"a": "b"}, "address_zip": "1"}, 402, "card_error", "exp_month"),
        ({"name": "New", "metadata": {"k" * 41: "v"}}, 400, "invalid_request_error", f"metadata[{'k' * 41}]"),
        ({"name": "New", "number": "4000056655665556"}, 400, "invalid_request_error", "number"),
        ({"name": "New", "cvc": "123"}, 400, "invalid_request_error", "cvc"),
        ({"name": "New", "account_holder_name": "X"}, 400, "invalid_request_error", "account_holder_name"),
    ],
)
def test_rejected_update_changes_nothing(client, customer, add_card, params, status, error_type, param) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/sources/{card['id']}"
    reply = client.post(path, params)
    assert reply.status == status, reply.body
    assert reply.error["type"] == error_type
    assert reply.error["param"] == param
    assert client.get(path).body == card


def test_update_expiry_combination_in_the_past(client, customer, add_card) -> None:
    if TODAY.month == 1:
        pytest.skip("no earlier month in the current year")
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/sources/{card['id']}"
    reply = client.post(path, {"exp_month": str(TODAY.month - 1), "exp_year": str(TODAY.year)})
    assert reply.status == 402
    assert reply.error["type"] == "card_error"
    assert client.get(path).body == card


def test_unknown_update_param(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    reply = client.post(f"/v1/customers/{customer['id']}/cards/{card['id']}", {"foo": "bar"})
    assert reply.status == 400
    assert reply.error["code"] == "parameter_unknown"
    assert reply.error["param"] == "foo"
    assert reply.error["message"] == "Received unknown parameter: foo"


@pytest.mark.parametrize("family", ["sources", "cards"])
def test_delete_returns_stub_and_card_is_gone(client, customer, add_card, family) -> None:
    card = add_card(customer["id"])
    path = f"/v1/customers/{customer['id']}/{family}/{card['id']}"
    reply = client.delete(path)
    assert reply.status == 200
    assert reply.body == {"id": card["id"], "object": "card", "deleted": True}
    for after in (client.get(path), client.post(path, {"name": "x"}), client.delete(path)):
        assert after.status == 404
        assert after.error["code"] == "resource_missing"


def test_delete_last_card_sets_default_to_null(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    client.delete(f"/v1/customers/{customer['id']}/sources/{card['id']}")
    assert client.get(f"/v1/customers/{customer['id']}").body["default_source"] is None


@pytest.mark.parametrize(
    ("order", "defaults"),
    [
        # cards are a (oldest, default), b, c (newest); each step deletes one and checks the default
        (["a", "b", "c"], ["c", "c", None]),
        (["a", "c", "b"], ["c", "b", None]),
        (["b", "a", "c"], ["a", "c", None]),
        (["b", "c", "a"], ["a", "a", None]),
        (["c", "a", "b"], ["a", "b", None]),
        (["c", "b", "a"], ["a", "a", None]),
    ],
)
def test_default_fallback_after_deletes(client, customer, add_card, order, defaults) -> None:
    cards = {
        name: add_card(customer["id"], token)["id"]
        for name, token in zip("abc", ["tok_visa", "tok_amex", "tok_jcb"], strict=True)
    }
    path = f"/v1/customers/{customer['id']}"
    assert client.get(path).body["default_source"] == cards["a"]
    for name, expected in zip(order, defaults, strict=True):
        assert client.delete(f"{path}/sources/{cards[name]}").status == 200
        assert client.get(path).body["default_source"] == (cards[expected] if expected else None)


def test_deleting_default_picks_newest_remaining_even_after_default_change(client, customer, add_card) -> None:
    a, b, c = (add_card(customer["id"])["id"] for _ in range(3))
    path = f"/v1/customers/{customer['id']}"
    client.post(path, {"default_source": b})
    client.delete(f"{path}/sources/{b}")
    assert client.get(path).body["default_source"] == c
    client.delete(f"{path}/sources/{a}")
    assert client.get(path).body["default_source"] == c


def test_expand_customer_on_card(client, customer, add_card) -> None:
    card = add_card(customer["id"])
    body = client.get(f"/v1/customers/{customer['id']}/cards/{card['id']}", "expand[]=customer").body
    assert body["customer"]["id"] == customer["id"]
    assert body["customer"]["default_source"] == card["id"]
