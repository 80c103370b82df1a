"""The registry: schema selection, every error with its JSON path, warnings, fast path."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest

from conformance.schemas import SchemaError, SchemaRegistry, UnknownObjectError, default_registry

CARD: dict[str, Any] = {
    "id": "card_1",
    "object": "card",
    "address_city": None,
    "address_country": None,
    "address_line1": None,
    "address_line1_check": None,
    "address_line2": None,
    "address_state": None,
    "address_zip": None,
    "address_zip_check": None,
    "brand": "Visa",
    "country": "US",
    "customer": "cus_1",
    "cvc_check": "pass",
    "dynamic_last4": None,
    "exp_month": 8,
    "exp_year": 2030,
    "fingerprint": "abc",
    "funding": "credit",
    "last4": "4242",
    "metadata": {},
    "name": None,
    "tokenization_method": None,
}


def card(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(CARD)
    body.update(changes)
    return body


def test_catalogue_has_the_73_objects(registry: SchemaRegistry) -> None:
    names = registry.object_names()
    assert len(names) == 73
    assert len(set(names)) == 73
    assert names[:5] == ["card", "source", "customer", "deleted_card", "error"]
    assert "webhook_endpoint" in names
    assert "list" not in names


def test_schema_names_add_deleted_variants_and_the_list_envelope(registry: SchemaRegistry) -> None:
    extra = set(registry.schema_names()) - set(registry.object_names())
    assert extra == {
        "list",
        "deleted_account",
        "deleted_bank_account",
        "deleted_customer",
        "deleted_invoice",
        "deleted_invoiceitem",
        "deleted_plan",
        "deleted_price",
        "deleted_radar.value_list",
        "deleted_radar.value_list_item",
        "deleted_subscription_item",
        "deleted_terminal.configuration",
        "deleted_test_helpers.test_clock",
        "deleted_webhook_endpoint",
    }


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"object": "card"}, "card"),
        ({"object": "card", "deleted": True}, "deleted_card"),
        ({"object": "customer", "deleted": True}, "deleted_customer"),
        ({"object": "customer", "deleted": False}, "customer"),
        ({"object": "apps.secret", "deleted": True}, "apps.secret"),  # flags deletion in place
        ({"error": {"type": "card_error"}}, "error"),
        ({"object": "list", "data": []}, "list"),
        ({"object": "checkout.session"}, "checkout.session"),
        ({"object": "charge"}, None),
        ({"id": "x"}, None),
        ([{"object": "card"}], None),
        ("card", None),
    ],
)
def test_schema_name_for(registry: SchemaRegistry, body: Any, expected: str | None) -> None:
    assert registry.schema_name_for(body) == expected


def test_valid_card_has_no_finding(registry: SchemaRegistry) -> None:
    assert registry.is_valid(card())
    assert registry.validate(card()) == []
    assert registry.validate(card(), strict=True) == []


def test_every_error_is_reported_with_its_json_path(registry: SchemaRegistry) -> None:
    body = card(id=12345, exp_month="8", funding="credit")
    del body["last4"]
    errors = registry.validate(body)
    assert [(e.json_path, e.severity) for e in errors] == [
        ("$", "error"),
        ("$.exp_month", "error"),
        ("$.id", "error"),
    ]
    assert "'last4' is a required property" in errors[0].message
    assert errors[2].schema_path == "card#/properties/id/type"
    assert not registry.is_valid(body)


def test_errors_inside_an_expanded_object_point_into_it(registry: SchemaRegistry) -> None:
    customer = {"id": "cus_1", "object": "customer", "created": "yesterday", "livemode": False}
    errors = [e for e in registry.validate(card(customer=customer)) if e.severity == "error"]
    paths = {e.json_path for e in errors}
    assert "$.customer.created" in paths
    assert all(p.startswith("$.customer") for p in paths)


def test_an_expandable_field_accepts_an_id_or_the_object(registry: SchemaRegistry) -> None:
    deleted = {"id": "cus_1", "object": "customer", "deleted": True}
    assert registry.validate(card(customer="cus_1")) == []
    assert registry.validate(card(customer=deleted)) == []
    assert registry.validate(card(customer=None)) == []
    [error] = registry.validate(card(customer=5))
    assert error.json_path == "$.customer"
    assert "matches none of: string, customer, deleted_customer, null" in error.message


def test_list_items_are_validated_by_their_own_object(registry: SchemaRegistry) -> None:
    deleted = {"id": "card_2", "object": "card", "deleted": True}
    body = {"object": "list", "url": "/v1/x", "has_more": False, "data": [card(), deleted]}
    assert registry.is_valid(body)
    assert registry.validate(body) == []
    body["data"].append(card(exp_month="8"))
    assert not registry.is_valid(body)
    [error] = registry.validate(body)
    assert error.json_path == "$.data[2].exp_month"


def test_list_envelope_is_checked(registry: SchemaRegistry) -> None:
    body = {"object": "list", "data": []}
    errors = registry.validate(body)
    assert {e.message for e in errors} == {
        "'has_more' is a required property",
        "'url' is a required property",
    }


def test_unknown_item_in_a_list_raises(registry: SchemaRegistry) -> None:
    body = {"object": "list", "url": "/v1/x", "has_more": False, "data": [{"object": "charge"}]}
    with pytest.raises(UnknownObjectError) as caught:
        registry.validate(body)
    assert caught.value.json_path == "$.data[0]"
    assert "'charge'" in str(caught.value)


@pytest.mark.parametrize("body", [{"object": "nope"}, {"id": 1}, [1], None])
def test_unknown_bodies_raise(registry: SchemaRegistry, body: Any) -> None:
    with pytest.raises(UnknownObjectError):
        registry.validate(body)
    with pytest.raises(UnknownObjectError):
        registry.is_valid(body)


def test_unknown_fields_are_warnings_unless_strict(registry: SchemaRegistry) -> None:
    body = card(regulated_status=None, metadata={"any": "key"})
    [warning] = registry.validate(body)
    assert warning == SchemaError(
        json_path="$.regulated_status",
        schema_path="card#/properties",
        message="unknown field 'regulated_status' (not in the 2023-08-16 schema)",
        severity="warning",
    )
    assert registry.is_valid(body)
    [error] = registry.validate(body, strict=True)
    assert error.severity == "error"


def test_unknown_fields_nested_in_expanded_objects(registry: SchemaRegistry) -> None:
    customer = {"id": "cus_1", "object": "customer", "created": 1, "livemode": False}
    customer |= {"default_source": None, "description": None, "email": None, "shipping": None}
    customer["brand_new"] = 1
    [warning] = registry.validate(card(customer=customer))
    assert warning.json_path == "$.customer.brand_new"
    assert warning.severity == "warning"


def test_error_envelope(registry: SchemaRegistry) -> None:
    body = {"error": {"type": "invalid_request_error", "message": "No such customer", "param": "id"}}
    assert registry.validate(body) == []
    bad = {"error": {"type": "teapot_error"}}
    [error] = registry.validate(bad)
    assert error.json_path == "$.error.type"


def test_forcing_a_schema(registry: SchemaRegistry) -> None:
    assert not registry.is_valid(card(), schema="customer")
    assert registry.validate({"object": "card"}, schema="deleted_card") != []
    with pytest.raises(UnknownObjectError):
        registry.validate(card(), schema="charge")


def test_every_schema_names_its_api_version(registry: SchemaRegistry) -> None:
    for name in registry.schema_names():
        schema = registry.schema(name)
        assert schema["x-stripe-api-version"] == registry.api_version_of(name)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f"/{name}.json")
    assert registry.api_version_of("card") == "2023-08-16"
    assert registry.api_version_of("climate.order") == "fixtures-2026"
    assert registry.api_version_of("crypto.onramp_quote") == "docs-unversioned"


def test_schema_error_is_frozen() -> None:
    finding = SchemaError("$", "card#", "m")
    assert finding.severity == "error"
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.message = "x"  # type: ignore[misc]
    assert str(finding) == "error: $: m"


def test_default_registry_is_built_once() -> None:
    assert default_registry() is default_registry()


def test_load_accepts_the_schemas_root_or_its_stripe_directory(registry: SchemaRegistry) -> None:
    stripe_dir = registry.directory
    assert SchemaRegistry.load(stripe_dir.parent).object_names() == registry.object_names()
    assert SchemaRegistry.load(stripe_dir).object_names() == registry.object_names()
