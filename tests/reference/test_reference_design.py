"""Package boundaries, fault-injection seams and agreement with the published spec."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import pytest

import conformance.reference as reference
from conformance.reference import Store

PACKAGE = Path(reference.__file__).resolve().parent
ALLOWED_TOP_LEVEL = {"uvicorn", "orjson", "httptools"}  # httptools: the parser under uvicorn, a dependency


def test_public_api() -> None:
    assert set(reference.__all__) >= {"create_app", "Store", "ReferenceServer", "decode_form", "serve"}
    for name in reference.__all__:
        assert getattr(reference, name) is not None


@pytest.mark.parametrize("module", sorted(PACKAGE.glob("*.py")), ids=lambda path: path.name)
def test_imports_only_stdlib_uvicorn_orjson_and_itself(module: Path) -> None:
    tree = ast.parse(module.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                continue
            names = [node.module or ""]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in ALLOWED_TOP_LEVEL or top in sys.stdlib_module_names, f"{module.name} imports {name}"
            assert top != "conformance", f"{module.name} imports {name}"


def test_every_module_has_a_docstring() -> None:
    for module in PACKAGE.glob("*.py"):
        assert ast.get_docstring(ast.parse(module.read_text())), module.name


# -- fault injection: a subclass can break exactly one rule -------------------------------


class KeepsDeletedDefault(Store):
    def choose_new_default(self, customer):  # type: ignore[no-untyped-def]
        return None


class OldestDefault(Store):
    def choose_new_default(self, customer):  # type: ignore[no-untyped-def]
        remaining = self.ordered_sources(customer)
        return remaining[-1].id if remaining else None


class SkipsExpiryChecks(Store):
    def validate_card_update(self, params, card):  # type: ignore[no-untyped-def]
        update = super().validate_card_update({k: v for k, v in params.items() if k != "exp_month"}, card)
        if "exp_month" in params:
            update.fields["exp_month"] = int(params["exp_month"])
        return update


class FixedCardIds(Store):
    def new_card_id(self) -> str:
        return "card_" + "0" * 24


class ExtraCardField(Store):
    def render_card(self, card):  # type: ignore[no-untyped-def]
        return {**super().render_card(card), "account": "acct_123"}


class OffByOneHasMore(Store):
    def paginate(self, items, page, cursor_key):  # type: ignore[no-untyped-def]
        found, _ = super().paginate(items, page, cursor_key)
        return found, len(found) == page.limit


def test_seam_choose_new_default(make_client, add_card) -> None:
    for store_class, expected in ((KeepsDeletedDefault, None), (OldestDefault, 0)):
        client = make_client(store_class())
        cus = client.post("/v1/customers").body["id"]
        cards = [client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"}).body["id"] for _ in range(3)]
        client.post(f"/v1/customers/{cus}", {"default_source": cards[1]})
        client.delete(f"/v1/customers/{cus}/sources/{cards[1]}")
        default = client.get(f"/v1/customers/{cus}").body["default_source"]
        assert default == (None if expected is None else cards[expected])


def test_seam_validate_card_update(make_client) -> None:
    client = make_client(SkipsExpiryChecks())
    cus = client.post("/v1/customers").body["id"]
    card = client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"}).body["id"]
    reply = client.post(f"/v1/customers/{cus}/sources/{card}", {"exp_month": "13"})
    assert reply.status == 200
    assert reply.body["exp_month"] == 13


def test_seam_new_card_id_and_render_card(make_client) -> None:
    client = make_client(FixedCardIds())
    cus = client.post("/v1/customers").body["id"]
    assert client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"}).body["id"] == "card_" + "0" * 24
    client = make_client(ExtraCardField())
    cus = client.post("/v1/customers").body["id"]
    assert client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"}).body["account"] == "acct_123"


def test_seam_paginate(make_client) -> None:
    client = make_client(OffByOneHasMore())
    cus = client.post("/v1/customers").body["id"]
    for _ in range(2):
        client.post(f"/v1/customers/{cus}/sources", {"source": "tok_visa"})
    assert client.get(f"/v1/customers/{cus}/sources", {"limit": "2"}).body["has_more"] is True


def test_seam_endpoint_methods_can_be_overridden(make_client) -> None:
    class NoDelete(Store):
        def delete_source(self, customer_id, source_id, params, *, kind="source"):  # type: ignore[no-untyped-def]
            return {"id": source_id, "object": "card", "deleted": True}

    client = make_client(NoDelete())
    cus = client.post("/v1/customers").body["id"]
    card = client.post(f"/v1/customers/{cus}/cards", {"source": "tok_visa"}).body["id"]
    assert client.delete(f"/v1/customers/{cus}/cards/{card}").status == 200
    assert client.get(f"/v1/customers/{cus}/cards/{card}").status == 200


# -- agreement with the 2023-08-16 OpenAPI spec and Stripe's fixtures -----------------------


@pytest.fixture(scope="module")
def spec_schemas() -> dict:
    path = Path(__file__).resolve().parents[3] / "shared" / "reference" / "stripe-openapi-2023-08-16.yaml"
    if not path.is_file():
        pytest.skip(f"Stripe OpenAPI spec not found at {path}")
    yaml = pytest.importorskip("yaml")
    with path.open() as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["components"]["schemas"]


CONNECT_ONLY_CARD_FIELDS = {"account", "available_payout_methods", "currency", "default_for_currency", "status"}
INCLUDABLE_CUSTOMER_FIELDS = {"cash_balance", "invoice_credit_balance", "sources", "subscriptions", "tax", "tax_ids"}


def check_against_schema(body: dict, schema: dict) -> None:
    properties = schema["properties"]
    assert set(schema.get("required", [])) <= set(body)
    assert set(body) <= set(properties), set(body) - set(properties)
    for key, value in body.items():
        prop = properties[key]
        if value is None:
            assert prop.get("nullable"), key
        elif prop.get("type") == "string" and "anyOf" not in prop:
            assert isinstance(value, str), key
            if "enum" in prop:
                assert value in prop["enum"], key
        elif prop.get("type") == "integer":
            assert isinstance(value, int), key
        elif prop.get("type") == "boolean":
            assert isinstance(value, bool), key


def test_card_matches_spec(client, customer, add_card, spec_schemas) -> None:
    card = add_card(customer["id"])
    check_against_schema(card, spec_schemas["card"])
    expected = set(spec_schemas["card"]["properties"]) - CONNECT_ONLY_CARD_FIELDS
    assert set(card) == expected
    deleted = client.delete(f"/v1/customers/{customer['id']}/sources/{card['id']}").body
    check_against_schema(deleted, spec_schemas["deleted_card"])


def test_customer_matches_spec(client, customer, add_card, spec_schemas) -> None:
    add_card(customer["id"])
    body = client.get(f"/v1/customers/{customer['id']}", "expand[]=sources").body
    check_against_schema(body, spec_schemas["customer"])
    assert set(body) == set(spec_schemas["customer"]["properties"]) - INCLUDABLE_CUSTOMER_FIELDS | {"sources"}
    assert set(body["sources"]) == set(spec_schemas["customer"]["properties"]["sources"]["properties"])
    check_against_schema(client.delete(f"/v1/customers/{customer['id']}").body, spec_schemas["deleted_customer"])


def test_error_matches_spec(client, spec_schemas) -> None:
    error = client.get("/v1/customers/cus_missing").body
    assert set(error) == {"error"}
    check_against_schema(error["error"], spec_schemas["api_errors"])


def test_card_fields_match_fixture_shape(client, customer, add_card, shared_reference) -> None:
    fixtures = json.loads((shared_reference / "stripe-fixtures-2026.json").read_text())
    fixture = fixtures["resources"]["card"]
    card = add_card(customer["id"])
    newer_than_2023 = {"regulated_status"}
    assert set(card) == set(fixture) - newer_than_2023
    for key, value in card.items():
        if value is not None and fixture[key] is not None:
            assert type(value) is type(fixture[key]), key
