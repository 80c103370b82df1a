"""The seed-000 scenarios' shared steps: a missing route is Unsupported, failed setup is Blocked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from starlette.types import Receive, Scope, Send

from conformance.checks import Blocked, ConformanceError, Unsupported, Verifier
from conformance.http import Response, StripeClient
from conformance.http.exchange import Request
from conformance.reference import ReferenceServer, Store, create_app
from conformance.reference.identity import Identity
from conformance.suite import test_climate, test_identity
from conformance.suite.api_checks import (
    MAX_PAGES,
    PAGE_SIZE,
    SCENARIO_TAG,
    added_ids,
    check_list_holds,
    check_paging_reaches,
    require_route,
    setup_object,
    tagged,
    undone_at_exit,
    walk_pages,
)

KEY = "sk_test_apichecks123"


def response(status: int, body: Any, path: str = "/v1/climate/products") -> Response:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Response(status, (), raw, Request("GET", f"http://127.0.0.1:9/{path.lstrip('/')}"))


def test_a_stripe_unrecognized_url_404_is_unsupported() -> None:
    answer = response(404, {"error": {"type": "invalid_request_error",
                                      "message": "Unrecognized request URL (GET: /v1/climate/products)."}})
    with pytest.raises(Unsupported) as raised:
        require_route(answer, "climate")
    assert raised.value.feature == "climate"
    assert raised.value.evidence is not None and raised.value.evidence["response"]["status"] == 404


def test_a_plain_text_404_on_the_collection_is_unsupported() -> None:
    with pytest.raises(Unsupported):
        require_route(response(404, b"404: Not Found"), "climate")


@pytest.mark.parametrize(
    ("status", "body"),
    [(200, {"object": "list", "data": []}),
     (404, {"error": {"type": "invalid_request_error", "code": "resource_missing", "message": "No such order"}}),
     (400, {"error": {"type": "invalid_request_error", "message": "Missing required param: product."}})],
)
def test_answers_of_a_served_route_pass(status: int, body: Any) -> None:
    require_route(response(status, body), "climate")


class _WithoutClimate:
    """A reference server that does not serve /v1/climate (Stripe's unrecognized-URL 404)."""

    def __init__(self) -> None:
        self.app = create_app(Store())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/climate"):
            body = json.dumps({"error": {"type": "invalid_request_error",
                                         "message": f"Unrecognized request URL (GET: {scope['path']})."}}).encode()
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def test_a_scenario_raises_unsupported_against_a_target_without_the_api() -> None:
    with ReferenceServer(app=_WithoutClimate()) as server:
        client = StripeClient(server.url, KEY)
        with pytest.raises(Unsupported, match="climate"):
            test_climate.test_catalogue_list_retrieve_pages_and_unknown_ids(
                client, Verifier(["climate.product.list-retrieve"])
            )
        with pytest.raises(Unsupported):
            test_climate.product_id.__wrapped__(client)  # type: ignore[attr-defined]


def test_failed_setup_is_blocked_with_evidence() -> None:
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        with pytest.raises(Blocked) as raised:
            setup_object(client, "/v1/climate/orders", {"product": "climsku_no_such"}, feature="climate",
                         precondition="precondition.climate-order")
    assert raised.value.precondition == "precondition.climate-order"
    assert raised.value.evidence is not None and raised.value.evidence["response"]["status"] == 400


def test_an_account_without_reports_blocks_the_identity_scenarios() -> None:
    class Empty(Identity):
        def reports(self) -> list[Any]:
            return []

    class EmptyStore(Store):
        identity_class = Empty

    with ReferenceServer(store=EmptyStore()) as server:
        client = StripeClient(server.url, KEY)
        with pytest.raises(Blocked, match=r"precondition\.identity-reports"):
            test_identity.reports.__wrapped__(client)  # type: ignore[attr-defined]


class _Repeating:
    """A client whose list pages always answer the same object with has_more true."""

    def get(self, path: str, params: Any = None) -> Response:
        return response(200, {"object": "list", "data": [{"id": "obj_1"}], "has_more": True}, path)


def test_a_list_that_repeats_fails_the_paging_walk() -> None:
    check = Verifier(["climate.catalogue.pagination"])
    with pytest.raises(ConformanceError, match="each object once"):
        walk_pages(_Repeating(), check, "/v1/climate/products", "climate.catalogue.pagination")  # type: ignore[arg-type]


class _Pages:
    """A client listing ``ids`` newest first (``created`` given per id), one page per call."""

    def __init__(self, ids: list[str], created: list[int] | None = None) -> None:
        self.ids, self.created = ids, created or [100 - n for n in range(len(ids))]

    def get(self, path: str, params: Any = None) -> Response:
        params = dict(params or {})
        start = self.ids.index(params["starting_after"]) + 1 if "starting_after" in params else 0
        end = start + int(params.get("limit", 10))
        data = [{"id": i, "created": c} for i, c in zip(self.ids[start:end], self.created[start:end], strict=True)]
        return response(200, {"object": "list", "data": data, "has_more": end < len(self.ids)}, path)


def test_list_holds_checks_presence_and_order_and_collects_failures() -> None:
    req = "forwarding.list"
    check = Verifier([req])
    check_list_holds(_Pages(["b", "a"]), check, "/v1/x", ["a", "b"], req)  # type: ignore[arg-type]
    assert check.passed[req] == 3 and not check.failures
    check = Verifier([req])
    with pytest.raises(ConformanceError) as raised:
        check_list_holds(_Pages(["b", "a"], [1, 2]), check, "/v1/x", ["c"], req)  # type: ignore[arg-type]
    assert len(raised.value.failures) == 2  # both the missing id and the order, not just the first


def test_paging_must_reach_the_made_ids_unless_the_walk_was_cut() -> None:
    req = "forwarding.list"
    check_paging_reaches(_Pages(["b", "a"]), Verifier([req]), "/v1/x", ["a"], req)  # type: ignore[arg-type]
    with pytest.raises(ConformanceError, match="paging to reach"):
        check_paging_reaches(_Pages(["b", "a"]), Verifier([req]), "/v1/x", ["z"], req)  # type: ignore[arg-type]
    many = [f"o{n:02}" for n in range(MAX_PAGES * PAGE_SIZE + 3)]
    check_paging_reaches(_Pages(many), Verifier([req]), "/v1/x", ["z"], req)  # type: ignore[arg-type]


def test_added_ids_and_undone_at_exit() -> None:
    before = response(200, {"data": [{"id": "a"}]})
    after = response(200, {"data": [{"id": "c"}, {"id": "a"}, {"id": "b"}]})
    assert added_ids(before, after, lambda item: True) == ["c", "b"]
    # Another sender's new object is not this scenario's: only objects carrying its tag count.
    mine = {"id": "d", "metadata": {SCENARIO_TAG: "run-1"}}
    others = [{"id": "e", "metadata": {SCENARIO_TAG: "run-2"}}, {"id": "f", "metadata": {}}, {"id": "g"}]
    after = response(200, {"data": [*others, mine, {"id": "a"}]})
    assert added_ids(before, after, tagged("run-1")) == ["d"]
    assert added_ids(response(200, {"data": [mine]}), after, tagged("run-1")) == []
    undone: list[str] = []
    with pytest.raises(RuntimeError), undone_at_exit(undone.append) as made:
        made.extend(["x", "y"])
        raise RuntimeError("scenario failed")
    assert undone == ["x", "y"]
