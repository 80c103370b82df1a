"""Seed 000's 23 endpoints: each maps to hand-written requirements, scenarios that check them, and a route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import conformance
from conformance.reference.routes import match_route
from conformance.requirements import load_catalogue
from conformance.requirements.index import scan_scenarios

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = Path(conformance.__file__).resolve().parent
SEED = ROOT.parent / "shared" / "seeds" / "000_5a98cd027a1901d9.txt"
SEED_000_AREAS = {"webhook_endpoints", "climate", "forwarding", "crypto_onramp", "identity"}

ENDPOINTS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/v1/identity/verification_reports/:id"): ("identity.report.list-retrieve", "identity.report.unknown-id"),
    ("GET", "/v1/identity/verification_reports"): (
        "identity.report.list-retrieve", "identity.report.filter-type", "identity.report.filter-session",
        "identity.report.filter-client-reference", "identity.report.filter-created",
        "identity.report.filter-invalid-type", "identity.report.pagination",
    ),
    ("POST", "/v1/crypto/onramp_sessions"): (
        "crypto_onramp.session.create.read-back", "crypto_onramp.session.amounts-exclusive",
    ),
    ("GET", "/v1/crypto/onramp_sessions/:id"): (
        "crypto_onramp.session.create.read-back", "crypto_onramp.session.unknown-id",
    ),
    ("GET", "/v1/crypto/onramp_sessions"): ("crypto_onramp.session.list",),
    ("GET", "/v1/crypto/onramp/quotes"): (
        "crypto_onramp.quote.retrieve", "crypto_onramp.quote.network-filter", "crypto_onramp.quote.amounts-exclusive",
    ),
    ("POST", "/v1/climate/orders"): (
        "climate.order.create.read-back", "climate.order.amount-total", "climate.order.create.product-required",
        "climate.order.create.quantity-required", "climate.order.create.quantity-exclusive",
    ),
    ("POST", "/v1/climate/orders/:id"): (
        "climate.order.update.read-back", "climate.order.update-after-cancel", "climate.unknown-id",
    ),
    ("GET", "/v1/climate/orders/:id"): ("climate.order.create.read-back", "climate.unknown-id"),
    ("GET", "/v1/climate/orders"): ("climate.order.list",),
    ("POST", "/v1/climate/orders/:id/cancel"): (
        "climate.order.cancel", "climate.order.cancel.twice-refused", "climate.unknown-id",
    ),
    ("GET", "/v1/climate/products/:id"): ("climate.product.list-retrieve", "climate.unknown-id"),
    ("GET", "/v1/climate/products"): ("climate.product.list-retrieve", "climate.catalogue.pagination"),
    ("GET", "/v1/climate/suppliers/:id"): (
        "climate.supplier.list-retrieve", "climate.product.suppliers-retrievable", "climate.unknown-id",
    ),
    ("GET", "/v1/climate/suppliers"): ("climate.supplier.list-retrieve", "climate.catalogue.pagination"),
    ("POST", "/v1/forwarding/requests"): (
        "forwarding.create.read-back", "forwarding.create.required-params", "forwarding.redaction",
        "forwarding.idempotency",
    ),
    ("GET", "/v1/forwarding/requests/:id"): (
        "forwarding.create.read-back", "forwarding.redaction", "forwarding.unknown-id",
    ),
    ("GET", "/v1/forwarding/requests"): ("forwarding.list", "forwarding.idempotency"),
    ("POST", "/v1/webhook_endpoints"): (
        "webhook_endpoints.create.read-back", "webhook_endpoints.secret.create-only",
        "webhook_endpoints.create.required-params", "webhook_endpoints.create.unknown-event",
    ),
    ("POST", "/v1/webhook_endpoints/:id"): (
        "webhook_endpoints.update.read-back", "webhook_endpoints.update.disabled-status",
        "webhook_endpoints.unknown-id",
    ),
    ("GET", "/v1/webhook_endpoints/:id"): (
        "webhook_endpoints.create.read-back", "webhook_endpoints.secret.create-only", "webhook_endpoints.unknown-id",
    ),
    ("GET", "/v1/webhook_endpoints"): ("webhook_endpoints.list.newest-first",),
    ("DELETE", "/v1/webhook_endpoints/:id"): ("webhook_endpoints.delete.stub-then-404", "webhook_endpoints.unknown-id"),
}
"""Each endpoint seed 000 documents -> the requirements whose scenarios exercise it."""


def _collection(path: str) -> str:
    """The path up to its first ``:id`` segment: the string a scenario module names."""
    return path.split("/:id")[0]


def test_the_table_covers_exactly_the_seed_endpoints() -> None:
    assert len(ENDPOINTS) == 23
    if not SEED.exists():
        pytest.skip(f"seed file not found at {SEED}")
    documented = set(re.findall(r"\[(GET|POST|DELETE)(/v1/[^\]]+)\]", SEED.read_text(encoding="utf-8")))
    assert documented == set(ENDPOINTS)


@pytest.mark.parametrize(("method", "path"), sorted(ENDPOINTS), ids=lambda v: str(v))
def test_each_endpoint_has_requirements_checked_by_scenarios(method: str, path: str) -> None:
    catalogue = load_catalogue()
    requirement_ids = ENDPOINTS[(method, path)]
    assert requirement_ids
    scenarios = scan_scenarios(PACKAGE)
    for rid in requirement_ids:
        assert rid in catalogue, rid
        requirement = catalogue.get(rid)
        assert requirement.area in SEED_000_AREAS, rid
        assert requirement.evidence, f"{rid} cites no evidence"
        citing = [s for s in scenarios if rid in s.cited and s.test.startswith("conformance/suite/")]
        assert citing, f"no hand-written scenario cites {rid}"
        sources = {(PACKAGE.parent / s.test.split("::")[0]).read_text(encoding="utf-8") for s in citing}
        assert any(_collection(path) in text for text in sources), f"no scenario citing {rid} calls {path}"


@pytest.mark.parametrize(("method", "path"), sorted(ENDPOINTS), ids=lambda v: str(v))
def test_the_reference_server_routes_each_endpoint(method: str, path: str) -> None:
    assert match_route(method, path.replace(":id", "obj_123")) is not None


def test_every_seed_000_requirement_is_mapped_to_an_endpoint() -> None:
    mapped = {rid for ids in ENDPOINTS.values() for rid in ids}
    in_areas = {r.id for r in load_catalogue() if r.area in SEED_000_AREAS}
    assert in_areas == mapped


def test_must_levels_rest_on_must_evidence() -> None:
    for requirement in load_catalogue():
        if requirement.area in SEED_000_AREAS and requirement.level == "MUST":
            assert {e.kind for e in requirement.evidence} & {"seed", "spec", "docs"}, requirement.id
