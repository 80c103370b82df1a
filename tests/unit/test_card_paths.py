"""Card-creation paths: tried in order, the one that works recorded, one root cause when none does."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from conformance.checks import Blocked, Unsupported
from conformance.checks.preconditions import route_missing, route_template
from conformance.http import StripeClient
from conformance.http.exchange import Request, Response
from conformance.http.transport import TransportError
from conformance.plugin.profiles import profile_card_paths
from conformance.targets.card_paths import (
    CARD_PATHS,
    CARD_PRECONDITION,
    CUSTOMER_PRECONDITION,
    CardPaths,
    CardSourceTransport,
    card_details,
)
from conformance.targets.profile import TargetProfile

BASE = "http://127.0.0.1:9"
KEY = "sk_test_cardpaths1"


class FakeStripe:
    """Accepts cards only by the ``accepts`` paths; can refuse customers or lack the attach route."""

    def __init__(self, accepts=frozenset(CARD_PATHS), *, customers=True, attach_route=True):
        self.accepts, self.customers, self.attach_route = set(accepts), customers, attach_route
        self.sent: list[Request] = []

    def send(self, request: Request) -> Response:
        self.sent.append(request)
        path = request.url.removeprefix(BASE).split("?")[0]
        form = parse_qs(request.body.decode())
        if request.method == "POST" and path == "/v1/customers":
            if not self.customers:
                return self._error(request, 400, "Customers are switched off on this fake.\n  }")
            return self._ok(request, {"id": "cus_1", "object": "customer"})
        if request.method == "POST" and path == "/v1/tokens":
            if "tokens-api" not in self.accepts:
                return self._error(request, 404, "Unrecognized request URL (POST: /v1/tokens).")
            return self._ok(request, {"id": f"tok_minted{len(self.sent)}", "object": "token"})
        if request.method == "POST" and path.endswith("/sources"):
            if not self.attach_route:
                return self._error(request, 404, f"Unrecognized request URL (POST: {path}).")
            source = form.get("source", [""])[0]
            path_used = (
                "raw-card" if "source[number]" in form
                else "tokens-api" if source.startswith("tok_minted") else "test-token"
            )
            if path_used not in self.accepts:
                return self._error(request, 400, "No such token.")
            return self._ok(request, {"id": f"card_{len(self.sent)}", "object": "card"})
        if request.method == "DELETE":
            return self._ok(request, {"id": "cus_1", "deleted": True})
        return self._error(request, 404, f"Unrecognized request URL ({request.method}: {path}).")

    def close(self) -> None:
        pass

    @staticmethod
    def _ok(request: Request, body: dict) -> Response:
        return Response(200, (("Content-Type", "application/json"),), json.dumps(body).encode(), request)

    @staticmethod
    def _error(request: Request, status: int, message: str) -> Response:
        body = {"error": {"type": "invalid_request_error", "message": message}}
        return Response(status, (("Content-Type", "application/json"),), json.dumps(body).encode(), request)


def paths_for(target: FakeStripe, paths=tuple(CARD_PATHS)) -> CardPaths:
    return CardPaths(StripeClient(BASE, KEY, transport=target), paths=paths, metadata={"conformance_run": "r1"})


@pytest.mark.parametrize("works", list(CARD_PATHS))
def test_the_first_path_that_works_is_chosen_and_recorded(works):
    paths = paths_for(FakeStripe({works}))
    assert paths.resolve() == works
    record = paths.record()
    assert record["card_path"] == works and record["probed"] and record["root_cause"] is None
    tried = [a["path"] for a in record["attempts"]]
    assert tried == list(CARD_PATHS)[: list(CARD_PATHS).index(works) + 1]
    assert [a["accepted"] for a in record["attempts"]][-1] is True


def test_the_probe_runs_once_and_deletes_its_customer():
    target = FakeStripe({"raw-card"})
    paths = paths_for(target)
    paths.resolve()
    sent = len(target.sent)
    paths.resolve()
    assert len(target.sent) == sent
    assert target.sent[-1].method == "DELETE" and target.sent[-1].url.endswith("/v1/customers/cus_1")


def test_no_path_is_one_blocked_root_cause_with_a_sentence_and_redacted_evidence():
    paths = paths_for(FakeStripe(set()))
    with pytest.raises(Blocked) as raised:
        paths.resolve()
    blocked = raised.value
    assert blocked.precondition == CARD_PRECONDITION
    assert blocked.reason[0].isupper() and blocked.reason.endswith(".") and "\n" not in blocked.reason
    assert all(path in blocked.reason for path in CARD_PATHS)
    evidence = json.dumps(blocked.evidence)
    assert blocked.evidence["curl"] and blocked.evidence["response"]["status"] in (400, 404)
    assert KEY not in evidence and "4242424242424242" not in evidence
    with pytest.raises(Blocked):  # every later use meets the same root cause, without a new probe
        paths.source("tok_visa")
    assert paths.record()["root_cause"]["id"] == CARD_PRECONDITION


def test_a_customer_that_cannot_be_created_blocks_with_its_own_root_cause():
    with pytest.raises(Blocked) as raised:
        paths_for(FakeStripe(customers=False)).resolve()
    assert raised.value.precondition == CUSTOMER_PRECONDITION
    assert raised.value.reason.endswith(".") and "\n" not in raised.value.reason and "  }" not in raised.value.reason


def test_a_target_without_the_attach_route_is_unsupported():
    with pytest.raises(Unsupported) as raised:
        paths_for(FakeStripe(attach_route=False)).resolve()
    assert raised.value.feature == "route POST /v1/customers/{id}/sources"


def test_a_profile_leaves_out_the_paths_it_does_not_claim():
    profile = TargetProfile("p", unclaimed=frozenset({"test_tokens"}))
    assert profile_card_paths(profile) == ("raw-card", "tokens-api")
    target = FakeStripe()
    assert paths_for(target, profile_card_paths(profile)).resolve() == "raw-card"


def test_record_and_restore_carry_the_outcome_to_workers():
    probed = paths_for(FakeStripe(set()))
    with pytest.raises(Blocked):
        probed.resolve()
    restored = paths_for(FakeStripe())
    restored.restore(json.loads(json.dumps(probed.record())))
    with pytest.raises(Blocked) as raised:
        restored.resolve()
    assert raised.value.precondition == CARD_PRECONDITION and raised.value.evidence
    assert restored.record() == probed.record()


def test_the_transport_sends_test_tokens_by_the_working_path():
    target = FakeStripe({"raw-card"})
    paths = paths_for(target)
    transport = CardSourceTransport(target, paths)
    headers = (("Authorization", f"Bearer {KEY}"), ("Idempotency-Key", "k1"))
    request = Request("POST", f"{BASE}/v1/customers/cus_1/sources", headers, b"source=tok_mastercard&metadata[a]=1")
    first = transport.send(request)
    assert first.status == 200
    form = parse_qs(first.request.body.decode())
    assert form["source[number]"] == ["5555555555554444"] and form["metadata[a]"] == ["1"]
    assert transport.send(request).request.body == first.request.body  # a retry with its key: the same body
    untouched = Request("POST", f"{BASE}/v1/customers/cus_1/sources", headers, b"source=tok_unknown_0042")
    assert transport.send(untouched).request == untouched


def test_card_details_give_each_tokens_documented_test_card_with_a_future_expiry():
    amex = card_details("tok_amex")
    assert amex["number"] == "378282246310005" and amex["cvc"] == "1234"
    assert card_details("tok_visa")["cvc"] == "123" and int(card_details("tok_visa")["exp_year"]) > 2024
    with pytest.raises(KeyError):
        card_details("tok_unheard_of")


def test_the_transport_leaves_requests_alone_on_the_test_token_path_or_when_blocked():
    for target in (FakeStripe(), FakeStripe(set())):
        transport = CardSourceTransport(target, paths_for(target))
        request = Request("POST", f"{BASE}/v1/customers/cus_1/sources", (), b"source=tok_visa")
        assert transport.send(request).request == request


def test_a_route_is_missing_only_when_the_answer_says_so():
    def answer(status, body, method="GET", path="/v1/customers/cus_1"):
        request = Request(method, BASE + path, ())
        return Response(status, (), json.dumps(body).encode() if body is not None else b"Not Found", request)

    assert route_missing(answer(404, {"error": {"message": "Unrecognized request URL (GET: /v1/x).", "type": "x"}}))
    assert route_missing(answer(404, {"error": {"message": "No matching path: /v1/x", "type": "x"}}))
    assert route_missing(answer(405, None))
    assert not route_missing(answer(404, {"error": {"message": "No such customer", "code": "resource_missing"}}))
    assert not route_missing(answer(404, {"error": {"message": "Not Found", "type": "invalid_request_error"}}))
    assert not route_missing(answer(404, None))
    assert route_template("GET", f"{BASE}/v1/customers/cus_NhD8HD2bY8dP3V/cards/card_1") == (
        "GET /v1/customers/{id}/cards/{id}"
    )
    assert route_template("GET", f"{BASE}/v1/identity/verification_reports") == "GET /v1/identity/verification_reports"


class Hanging(FakeStripe):
    """Answers nothing usable to the attach: a transport problem, not a refusal."""

    def send(self, request: Request) -> Response:
        if request.url.endswith("/sources"):
            raise TransportError("timed out (after 3 attempts)", request)
        return super().send(request)


def test_a_probe_without_usable_answers_takes_the_first_path_and_blocks_nothing():
    paths = paths_for(Hanging())
    assert paths.resolve() == "test-token" and paths.problem is None
    assert "no usable answer" in paths.record()["attempts"][-1]["answer"]
