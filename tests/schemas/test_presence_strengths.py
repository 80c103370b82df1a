"""Two strengths of presence: what the 2023-08-16 spec requires (MUST) and what Stripe always returns (SHOULD)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance.schemas import SchemaRegistry
from conformance.schemas.registry import PRESENT_KEYWORD


def _schema(registry: SchemaRegistry, name: str) -> dict[str, Any]:
    return dict(registry.schema(name))


def test_required_is_what_the_spec_requires(registry: SchemaRegistry, spec: dict[str, Any]) -> None:
    components = spec["components"]["schemas"]
    for name in ("card", "customer", "deleted_card", "identity.verification_report"):
        assert set(_schema(registry, name).get("required", ())) <= set(components[name].get("required", ())), name
    assert sorted(_schema(registry, "card")["required"]) == sorted(components["card"]["required"])


def test_fields_of_the_fixtures_are_expected_present(registry: SchemaRegistry) -> None:
    card = _schema(registry, "card")
    assert "fingerprint" in card[PRESENT_KEYWORD] and "fingerprint" not in card["required"]


def test_a_card_without_optional_fields_is_valid_and_lacks_them_only_under_strict(
    registry: SchemaRegistry, seed_cards: list[dict[str, Any]]
) -> None:
    card = next(c for c in seed_cards if "customer" in c and "deleted" not in c)
    bare = {key: card[key] for key in ("id", "object", "brand", "exp_month", "exp_year", "funding", "last4")}
    assert registry.validate(bare) == []
    missing = {error.json_path for error in registry.validate(bare, strict=True)}
    assert "$.fingerprint" in missing
    assert {e.json_path for e in registry.missing_present(bare)} == missing


def test_the_seed_card_examples_validate_strictly(registry: SchemaRegistry, seed_cards: list[dict[str, Any]]) -> None:
    full = [card for card in seed_cards if "deleted" not in card and "customer" in card]
    assert full and all("wallet" in card for card in full)
    for card in full:
        assert registry.validate(card, strict=True) == [], card["id"]


def test_the_seed_card_example_passes_validate_strict(tmp_path: Path, seed_cards: list[dict[str, Any]]) -> None:
    card = next(c for c in seed_cards if "wallet" in c and "customer" in c)
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "conformance", "validate", "--strict", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_id_number_verification_report_needs_no_document(registry: SchemaRegistry) -> None:
    schema = _schema(registry, "identity.verification_report")
    assert "document" not in schema.get("required", ()) and "document" not in schema.get(PRESENT_KEYWORD, ())
    report = {
        "id": "vr_1", "object": "identity.verification_report", "client_reference_id": None, "created": 1,
        "livemode": False, "options": {"id_number": {}}, "type": "id_number", "verification_session": None,
        "id_number": {"dob": None, "error": None, "first_name": None, "id_number": None, "id_number_type": None,
                      "last_name": None, "status": "verified"},
    }
    assert registry.validate(report) == []
    assert registry.validate({**report, "document": None}) == []
