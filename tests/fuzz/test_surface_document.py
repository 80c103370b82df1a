"""The project's OpenAPI document of the tested surface: valid, linked, and tied to the object schemas."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import schemathesis
import yaml

from conformance.fuzz.config import schemathesis_config
from conformance.fuzz.surface import load_surface, operations, surface_path
from conformance.fuzz.views import generation_view, iter_hint_names, known_hints
from conformance.schemas.json_objects import json_objects

SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "reference" / "stripe-openapi-2023-08-16.yaml"
SEED_000 = sorted((Path(__file__).resolve().parents[3] / "shared" / "seeds").glob("000_*.txt"))


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return load_surface()



def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    schema = schemathesis.openapi.from_dict(document, config=schemathesis_config("http://127.0.0.1:1"))
    schema.adapter.validate_schema(document)  # raises on any violation of the OpenAPI 3.1 meta-schema


def test_the_surface_covers_cards_customers_and_the_other_objects(document: dict[str, Any]) -> None:
    labels = {ref.label for ref in operations(document)}
    assert len(labels) == 35
    assert {"POST /v1/crypto/onramp_sessions", "POST /v1/forwarding/requests"} <= labels
    for family in ("sources", "cards"):
        for method, suffix in (("GET", ""), ("POST", ""), ("GET", "/{id}"), ("POST", "/{id}"), ("DELETE", "/{id}")):
            assert f"{method} /v1/customers/{{customer}}/{family}{suffix}" in labels
    for path in ("/v1/identity/verification_reports", "/v1/crypto/onramp_sessions", "/v1/climate/orders",
                 "/v1/climate/products", "/v1/climate/suppliers", "/v1/forwarding/requests"):
        assert f"GET {path}" in labels
        assert any(label.startswith(f"GET {path}/{{") for label in labels)
    assert "GET /v1/crypto/onramp/quotes" in labels
    assert {m for m in ("GET", "POST", "DELETE") if f"{m} /v1/webhook_endpoints/{{webhook_endpoint}}" in labels} == {
        "GET", "POST", "DELETE"}


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [ref.operation_id for ref in operations(document)]
    assert len(ids) == len(set(ids))


def test_every_link_targets_an_operation_and_its_parameters(document: dict[str, Any]) -> None:
    by_id = {ref.operation_id: ref for ref in operations(document)}
    links = 0
    for item in document["paths"].values():
        for method in ("get", "post", "delete"):
            for response in item.get(method, {}).get("responses", {}).values():
                for name, link in response.get("links", {}).items():
                    links += 1
                    target = by_id[link["operationId"]]
                    placeholders = set(re.findall(r"\{(\w+)\}", target.path))
                    assert placeholders <= set(link.get("parameters", {})), f"{name} leaves path ids unset"
    assert links >= 25


def test_the_links_chain_the_card_lifecycle(document: dict[str, Any]) -> None:
    def targets(path: str, method: str) -> set[str]:
        response = document["paths"][path][method]["responses"]["200"]
        return {link["operationId"] for link in response.get("links", {}).values()}

    assert {"PostCustomersCustomerSources", "PostCustomersCustomerCards"} <= targets("/v1/customers", "post")
    assert {"GetCustomersCustomerSourcesId", "PostCustomersCustomerSourcesId", "DeleteCustomersCustomerSourcesId"} <= (
        targets("/v1/customers/{customer}/sources", "post")
    )
    assert "GetCustomersCustomerSourcesId" in targets("/v1/customers/{customer}/sources", "get")  # list -> retrieve
    assert "GetCustomersCustomerSourcesId" in targets("/v1/customers/{customer}/sources/{id}", "delete")  # -> 404


def test_every_4xx_answer_is_the_error_envelope(document: dict[str, Any]) -> None:
    responses = document["components"]["responses"]
    for ref in operations(document):
        answers = document["paths"][ref.path][ref.method]["responses"]
        assert "4XX" in answers, ref.label
        for status, answer in answers.items():
            if status.startswith("4"):
                name = answer["$ref"].rsplit("/", 1)[1]
                assert responses[name]["content"]["application/json"]["schema"] == {"$ref": "../stripe/error.json"}


def test_success_answers_ref_the_project_object_schemas(document: dict[str, Any]) -> None:
    refs = {node["$ref"] for node in json_objects(document) if isinstance(node.get("$ref"), str)}
    external = {ref for ref in refs if not ref.startswith("#")}
    assert external
    stripe_dir = surface_path().parent.parent / "stripe"
    assert stripe_dir.is_dir(), f"{stripe_dir}: the object schemas the surface refers to are missing"
    for ref in external:
        assert ref.startswith("../stripe/") and ref.endswith(".json")
        assert (stripe_dir / ref.removeprefix("../stripe/")).is_file(), ref
    for ref in operations(document):
        content = document["paths"][ref.path][ref.method]["responses"]["200"]
        assert "content" in content or "$ref" in content, ref.label


def test_every_generation_hint_is_known(document: dict[str, Any]) -> None:
    assert set(iter_hint_names(document)) <= known_hints()


def test_the_generation_view_loads_every_operation() -> None:
    view = generation_view()
    schema = schemathesis.openapi.from_dict(view.document, config=schemathesis_config("http://127.0.0.1:1"))
    results = list(schema.get_all_operations())
    assert len(results) == 35
    assert all(hasattr(result, "ok") for result in results), [r for r in results if not hasattr(r, "ok")]
    assert ("body", "source") in view.hinted and ("query", "starting_after") in view.hinted
    refs = [node["$ref"] for node in json_objects(view.document) if isinstance(node.get("$ref"), str)]
    assert all(ref.startswith("#") for ref in refs)


@pytest.mark.skipif(not SHARED_SPEC.is_file(), reason="../shared/reference is absent: no Stripe spec to compare")
def test_operations_are_stripe_operations() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(SHARED_SPEC.read_text(encoding="utf-8"), Loader=loader)
    seed = SEED_000[0].read_text(encoding="utf-8") if SEED_000 else ""
    for ref in operations(load_surface()):
        in_spec = ref.method in spec["paths"].get(ref.path, {})
        documented = re.sub(r"\{\w+\}", ":id", ref.path) in seed
        assert in_spec or documented, f"{ref.label} is neither in the 2023-08-16 spec nor in seeds/000"
        if in_spec:
            assert spec["paths"][ref.path][ref.method]["operationId"] == ref.operation_id
