"""The fast request path answers exactly as the framework-based one did.

The reference server's hot path replaced Starlette's request and response objects, the linear route
scan and ``json.dumps(indent=2)`` (benchmarks/RESULTS.md, benchmark 4); these tests pin each
replacement to what it replaced.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from conformance.reference import Store, create_app
from conformance.reference.asgi import request_path
from conformance.reference.coalescing import CoalescingTransport
from conformance.reference.json_body import render
from conformance.reference.routes import ROUTES, match_route

# -- bodies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"id": "cus_1", "object": "customer", "metadata": {}, "preferred_locales": [], "address": None},
        {"text": 'é ü 😀 \u2028 \u2029 \x7f \x00 \x1f \b \f \n \r \t " \\ /', "ok": True, "no": False},
        {"nested": [{"a": []}, [], {}, [1, -2, 2**63 - 1]], "z": 0},
        {"big": 2**64, "negative": -(2**70)},  # past 64 bits: the standard library writes these
    ],
    ids=["customer-shape", "escapes", "nesting", "big-integers"],
)
def test_bodies_are_the_standard_library_indented_json(payload: dict[str, Any]) -> None:
    expected = (json.dumps(payload, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    assert render(payload) == expected


def test_a_body_the_standard_library_refuses_is_refused_too() -> None:
    with pytest.raises(TypeError):
        render({"when": object()})


# -- routing ----------------------------------------------------------------------------------


def _linear_match(method: str, path: str) -> tuple[object, dict[str, str]] | None:
    for spec in ROUTES:
        found = spec.pattern.fullmatch(path)
        if found is not None and spec.method == method:
            return spec, found.groupdict()
    return None


def _sample_paths() -> list[str]:
    paths = ["", "/", "/v1", "/v1/customers/", "/v1/customers//sources", "//v1/customers", "/v1/customers/a/b/c/d"]
    for spec in ROUTES:
        template = spec.pattern.pattern
        concrete = template.replace("(?P<customer>[^/]+)", "cus_1").replace("(?P<id>[^/]+)", "card_1")
        paths += [concrete, concrete + "/", concrete + "/extra", concrete.rsplit("/", 1)[0]]
    return paths


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE", "PUT"])
def test_the_route_index_matches_the_table_scan(method: str) -> None:
    for path in _sample_paths():
        assert match_route(method, path) == _linear_match(method, path), (method, path)


# -- the request path as reported in errors ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["/v1/customers", "/v1/customers/x?y#z\\w", "/v1/customers/a\r\nb\tc", "v1/customers", "", "//v1/customers", "/é"],
)
def test_the_request_path_is_what_starlette_reported(raw: str) -> None:
    datastructures = pytest.importorskip("starlette.datastructures")
    scope = {"type": "http", "path": raw, "query_string": b"", "headers": [], "server": ("127.0.0.1", 80)}
    assert request_path(raw) == datastructures.URL(scope=scope).path


# -- one write per answer ----------------------------------------------------------------------


class RecordingTransport:
    """The parts of a transport the wrapper uses, recording what is written."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False
        self.aborted = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_extra_info(self, name: str) -> str:
        return f"info:{name}"


def _wrapped() -> tuple[CoalescingTransport, RecordingTransport, asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    inner = RecordingTransport()
    return CoalescingTransport(inner, loop), inner, loop  # type: ignore[arg-type]


def _turn(loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(asyncio.sleep(0))
    loop.close()


def test_head_and_body_leave_in_one_write_in_order() -> None:
    transport, inner, loop = _wrapped()
    transport.write(b"HEAD")
    assert inner.writes == []
    transport.write(b"BODY")
    transport.write(b"NEXT")
    transport.writelines([b"A", b"B"])
    _turn(loop)
    assert inner.writes == [b"HEADBODY", b"NEXTAB"]


def test_a_lone_write_leaves_when_the_loop_turns() -> None:
    transport, inner, loop = _wrapped()
    transport.write(b"100 Continue")
    _turn(loop)
    assert inner.writes == [b"100 Continue"]


def test_close_sends_what_is_held_and_abort_drops_it() -> None:
    transport, inner, loop = _wrapped()
    transport.write(b"last words")
    transport.close()
    _turn(loop)
    assert inner.writes == [b"last words"] and inner.closed
    transport, inner, loop = _wrapped()
    transport.write(b"dropped")
    transport.abort()
    _turn(loop)
    assert inner.writes == [] and inner.aborted
    assert transport.get_extra_info("peername") == "info:peername"


# -- the ASGI side ---------------------------------------------------------------------------------


def _run_app(scope: dict[str, Any], incoming: list[dict[str, Any]]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(create_app(Store())(scope, receive, send))
    return sent


def test_lifespan_events_are_acknowledged() -> None:
    sent = _run_app({"type": "lifespan"}, [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert [message["type"] for message in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def _post_customers(key: str) -> dict[str, object]:
    return {
        "type": "http",
        "method": "POST",
        "path": "/v1/customers",
        "query_string": b"",
        "headers": [(b"authorization", f"Bearer {key}".encode())],
    }


def test_a_client_that_leaves_mid_body_gets_no_answer() -> None:
    scope = _post_customers("sk_test_leaver")
    incoming = [{"type": "http.request", "body": b"email=a", "more_body": True}, {"type": "http.disconnect"}]
    assert _run_app(scope, incoming) == []


def test_a_body_in_chunks_is_read_whole() -> None:
    scope = _post_customers("sk_test_chunks")
    incoming = [
        {"type": "http.request", "body": b"email=a%40", "more_body": True},
        {"type": "http.request", "body": b"example.com", "more_body": False},
    ]
    start, body = _run_app(scope, incoming)
    assert start["status"] == 200
    assert json.loads(body["body"])["email"] == "a@example.com"
