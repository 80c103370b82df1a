"""Every documented example of a catalogue object validates: no false positive."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.schemas import SchemaRegistry


def _errors(registry: SchemaRegistry, body: Any) -> list[str]:
    return [str(e) for e in registry.validate(body) if e.severity == "error"]


def test_every_fixture_of_a_catalogue_object_validates(
    registry: SchemaRegistry, stripe_fixtures: dict[str, Any], record: Any
) -> None:
    names = set(registry.schema_names())
    checked: dict[str, list[str]] = {}
    for key, body in sorted(stripe_fixtures.items()):
        if key not in names:
            continue
        assert registry.schema_name_for(body) == key, f"fixture {key} is dispatched elsewhere"
        assert registry.is_valid(body), f"fixture {key}: {_errors(registry, body)}"
        checked[key] = _errors(registry, body)
    assert not {k: v for k, v in checked.items() if v}
    catalogue = set(registry.object_names())
    # Objects without any fixture: error, usage_record, and the hand-written overlays.
    missing = sorted(catalogue - checked.keys())
    assert missing == [
        "crypto.onramp_quote",
        "crypto.onramp_session",
        "error",
        "terminal.hardware_order",
        "terminal.hardware_product",
        "terminal.hardware_shipping_method",
        "terminal.hardware_sku",
        "usage_record",
    ]
    record("fixtures validated (top-level resources)", len(checked))
    record("catalogue objects with a fixture", len(catalogue & checked.keys()))


def test_every_catalogue_object_nested_in_a_fixture_validates(
    registry: SchemaRegistry, stripe_fixtures: dict[str, Any], record: Any, helpers: Any
) -> None:
    count = 0
    for key, document in sorted(stripe_fixtures.items()):
        for body in helpers.nested_objects(document):
            if "object" not in body or registry.schema_name_for(body) in (None, "list"):
                continue  # not a Stripe object, or a list whose items may have no schema
            count += 1
            assert registry.is_valid(body), f"in fixture {key}: {_errors(registry, body)}"
    assert count > 0
    record("fixture objects validated (nested in other fixtures)", count)


def test_generator_reports_no_conflicting_example(generated: Any, record: Any) -> None:
    # Every fixture with a schema of its own name (shared definitions included) and
    # every overlay example validates against the schema it was generated into.
    assert generated.conflicts == ()
    record("examples checked by the generator (fixtures and overlay examples)", generated.required.examples)


def test_seed_card_examples_validate(registry: SchemaRegistry, seed_cards: list[dict[str, Any]], record: Any) -> None:
    full = [card for card in seed_cards if not card.get("deleted")]
    deleted = [card for card in seed_cards if card.get("deleted")]
    assert len(full) == 3
    assert len(deleted) == 1
    for card in full:
        assert registry.schema_name_for(card) == "card"
        assert _errors(registry, card) == []
    assert registry.schema_name_for(deleted[0]) == "deleted_card"
    assert registry.validate(deleted[0]) == []
    record("seed 004 card examples validated", len(seed_cards))


def test_seed_card_with_newer_fields_validates_strictly(
    registry: SchemaRegistry, seed_cards: list[dict[str, Any]]
) -> None:
    # wallet and redaction are in seed 004's examples but not the 2023 spec: overlays declare them.
    account_card = next(card for card in seed_cards if "account" in card)
    assert {"wallet", "redaction"} <= set(account_card)
    assert registry.validate(account_card) == []
    assert registry.validate(account_card, strict=True) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", 12345), ("exp_month", "8"), ("object", "card"), ("funding", None)],
)
def test_a_broken_fixture_is_rejected(
    registry: SchemaRegistry, stripe_fixtures: dict[str, Any], field: str, value: Any
) -> None:
    card = dict(stripe_fixtures["card"])
    if field == "object":
        del card["funding"]  # a required field missing
        expected = "$"
    else:
        card[field] = value
        expected = f"$.{field}"
    assert not registry.is_valid(card)
    errors = [e for e in registry.validate(card) if e.severity == "error"]
    assert [e.json_path for e in errors] == [expected]
