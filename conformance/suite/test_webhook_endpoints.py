"""Webhook endpoints (seeds/000 'Webhook Endpoints'): create, secret once, update, list, delete."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.api_checks import (
    SCENARIO_TAG,
    added_ids,
    check_list_holds,
    check_not_found,
    check_paging_reaches,
    listed_ids,
    require_route,
    setup_object,
    tagged,
    undone_at_exit,
)
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("webhook_endpoints")

FEATURE = "webhook_endpoints"
PATH = "/v1/webhook_endpoints"
EVENTS = ["customer.created", "customer.updated"]

MakeEndpoint = Callable[..., dict[str, Any]]


@pytest.fixture
def endpoint_url(stripe_run_id: str) -> str:
    """A run-tagged URL on a reserved documentation domain (never called)."""
    return f"https://example.com/stripe-conformance/{stripe_run_id}"


@pytest.fixture
def cleanup(stripe_client: StripeClient) -> Iterator[list[str]]:
    """Ids of endpoints a scenario made; every one is deleted at teardown."""
    with undone_at_exit(lambda endpoint_id: stripe_client.delete(f"{PATH}/{endpoint_id}")) as made:
        yield made


@pytest.fixture
def make_endpoint(stripe_client: StripeClient, endpoint_url: str, cleanup: list[str]) -> MakeEndpoint:
    """Create endpoints as setup (deleted at teardown)."""

    def make(**params: Any) -> dict[str, Any]:
        body = setup_object(
            stripe_client, PATH, {"url": endpoint_url, "enabled_events": EVENTS, **params},
            feature=FEATURE, precondition="precondition.webhook-endpoint",
        )
        cleanup.append(body["id"])
        return body

    return make


@requires("webhook_endpoints.create.read-back", "webhook_endpoints.secret.create-only",
          "webhook_endpoints.list.newest-first", "webhook_endpoints.update.read-back",
          "webhook_endpoints.update.disabled-status", "webhook_endpoints.delete.stub-then-404")
def test_endpoint_lifecycle(
    stripe_client: StripeClient, endpoint_url: str, cleanup: list[str], make_endpoint: MakeEndpoint, check: Verifier
) -> None:
    # One endpoint is created, read back, listed with a second one, updated, then deleted.
    first = stripe_client.post(PATH, {"url": endpoint_url, "enabled_events": EVENTS})
    require_route(first, FEATURE)
    created = check.status(first, 200, "webhook_endpoints.create.read-back")
    endpoint_id = created.get("id") if isinstance(created, dict) else None
    check.that(isinstance(endpoint_id, str), "expected the created endpoint's id", first,
               "webhook_endpoints.create.read-back", json_path="$.id")
    cleanup.append(str(endpoint_id))  # one endpoint is created, read back, updated, then deleted
    retrieved = stripe_client.get(f"{PATH}/{endpoint_id}")
    with check.soft():
        req = "webhook_endpoints.create.read-back"
        check.equal(first, "$.object", "webhook_endpoint", req)
        check.equal(first, "$.url", endpoint_url, req)
        check.equal(first, "$.enabled_events", EVENTS, req)
        check.equal(first, "$.status", "enabled", req)
        check.status(retrieved, 200, req)
        check.equal(retrieved, "$.url", endpoint_url, req)
        check.equal(retrieved, "$.enabled_events", EVENTS, req)
        secret = created.get("secret") if isinstance(created, dict) else None
        check.that(isinstance(secret, str) and bool(secret), "expected a secret in the answer to create",
                   first, "webhook_endpoints.secret.create-only", json_path="$.secret")
        check.that("secret" not in retrieved.json(), "expected no secret when retrieving the endpoint",
                   retrieved, "webhook_endpoints.secret.create-only", json_path="$.secret")
    _list_holds_newest_first(stripe_client, check, [endpoint_id, make_endpoint()["id"]])
    path = f"{PATH}/{endpoint_id}"
    _update_url_events_and_disabled(stripe_client, check, path, endpoint_url)
    deleted = stripe_client.delete(path)
    req = "webhook_endpoints.delete.stub-then-404"
    check.status(deleted, 200, req)
    cleanup.remove(str(endpoint_id))  # gone: nothing left to delete at teardown
    with check.soft():
        check.equal(deleted, "$.id", endpoint_id, req)
        check.equal(deleted, "$.object", "webhook_endpoint", req)
        check.equal(deleted, "$.deleted", True, req)
        check_not_found(check, stripe_client.get(path), req)
        check_not_found(check, stripe_client.delete(path), req)
        listed = stripe_client.get(PATH, {"limit": 100})
        check.that(endpoint_id not in listed_ids(listed), "expected the deleted endpoint gone from the list",
                   listed, req)


def _update_url_events_and_disabled(stripe_client: StripeClient, check: Verifier, path: str, endpoint_url: str) -> None:
    """Update the endpoint's URL and events, then disable and enable it; each read back."""
    new_url, new_events = endpoint_url + "/v2", ["customer.deleted"]
    updated = stripe_client.post(path, {"url": new_url, "enabled_events": new_events})
    with check.soft():
        req = "webhook_endpoints.update.read-back"
        check.status(updated, 200, req)
        check.equal(updated, "$.url", new_url, req)
        check.equal(updated, "$.enabled_events", new_events, req)
        after = stripe_client.get(path)
        check.equal(after, "$.url", new_url, req)
        check.equal(after, "$.enabled_events", new_events, req)
        check.that("secret" not in updated.json(), "expected no secret in the answer to an update",
                   updated, "webhook_endpoints.secret.create-only", json_path="$.secret")
    req = "webhook_endpoints.update.disabled-status"
    for disabled, status in (("true", "disabled"), ("false", "enabled")):
        answer = stripe_client.post(path, {"disabled": disabled})
        with check.soft():
            check.status(answer, 200, req)
            check.equal(answer, "$.status", status, req)
            check.equal(stripe_client.get(path), "$.status", status, req)


@requires("webhook_endpoints.create.required-params", "webhook_endpoints.create.unknown-event",
          "webhook_endpoints.unknown-id")
def test_create_refuses_missing_and_unknown_values(
    stripe_client: StripeClient, endpoint_url: str, scenario_tag: str, check: Verifier
) -> None:
    before = stripe_client.get(PATH, {"limit": 100})
    require_route(before, FEATURE)
    req = "webhook_endpoints.create.required-params"
    mark = {"metadata": {SCENARIO_TAG: scenario_tag}}  # others may add endpoints meanwhile: count only these
    with check.soft():
        no_url = stripe_client.post(PATH, {"enabled_events": EVENTS, **mark})
        check.error(no_url, status=400, param="url", req=req)
        no_events = stripe_client.post(PATH, {"url": endpoint_url, **mark})
        check.error(no_events, status=400, param="enabled_events", req=req)
        unknown = stripe_client.post(PATH, {"url": endpoint_url, "enabled_events": ["customer.no_such_event"], **mark})
        check.error(unknown, status=400, req="webhook_endpoints.create.unknown-event")
        after = stripe_client.get(PATH, {"limit": 100})
        new = added_ids(before, after, tagged(scenario_tag))
        check.that(not new, f"expected refused creations to create nothing, the list gained {new}", after, req)
    path = f"{PATH}/we_doesnotexist0042"
    with check.soft():  # the list above showed the route is served: these 404s are about the id
        check_not_found(check, stripe_client.get(path), "webhook_endpoints.unknown-id")
        check_not_found(check, stripe_client.post(path, {"description": "x"}), "webhook_endpoints.unknown-id")
        check_not_found(check, stripe_client.delete(path), "webhook_endpoints.unknown-id")


def _list_holds_newest_first(stripe_client: StripeClient, check: Verifier, made: list[object]) -> None:
    """The endpoint list holds ``made``, newest first, shows no secret, and paging reaches them."""
    req = "webhook_endpoints.list.newest-first"
    with check.soft():
        listed = check_list_holds(stripe_client, check, PATH, made, req)
        data = listed.json().get("data", [])
        leaked = [item.get("id") for item in data if isinstance(item, dict) and "secret" in item]
        check.that(not leaked, f"expected no secret in listed endpoints, {leaked} carry one", listed,
                   "webhook_endpoints.secret.create-only")
    check_paging_reaches(stripe_client, check, PATH, made, req)
