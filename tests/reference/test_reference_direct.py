"""Answering whole requests without a task writes the same bytes as uvicorn's own request path.

Two reference servers, one on :class:`DirectHttpToolsProtocol` and one on the protocol it
specialises (every request through uvicorn's task and cycle), get the same raw byte streams;
their answers must match once the random ids and the date are masked.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterator

import pytest

from conformance.reference import ReferenceServer, server
from conformance.reference.coalescing import CoalescingHttpToolsProtocol
from conformance.reference.direct import DirectHttpToolsProtocol

AUTH = "Authorization: Bearer sk_test_direct0000000001\r\n"
_RANDOM = re.compile(rb"\b(req|cus|card|tok|src|we|whsec|climsup|climorder|fxreq|cos|vr|vs)_[A-Za-z0-9]+")
_DATE = re.compile(rb"date: [^\r]+\r\n")
_VARYING = re.compile(rb'"(created|invoice_prefix|fingerprint)": ("[^"]*"|\d+)')


def _get(path: str, extra: str = "", version: str = "1.1") -> bytes:
    return f"GET {path} HTTP/{version}\r\nHost: x\r\n{AUTH}{extra}\r\n".encode()


def _post(path: str, body: bytes, extra: str = "") -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\n{AUTH}{extra}Content-Length: {len(body)}\r\n"
    head += "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
    return head.encode() + body


def _chunked(path: str, chunks: list[bytes]) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: x\r\n{AUTH}Transfer-Encoding: chunked\r\n\r\n".encode()
    return head + b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for chunk in chunks) + b"0\r\n\r\n"


CONVERSATIONS: dict[str, list[bytes]] = {
    "create-list-retrieve": [
        _post("/v1/customers", b"email=a%40example.com&metadata[k]=v"),
        _get("/v1/customers?limit=2"),
        _get("/v1/customers/cus_missing"),
    ],
    "errors": [
        _get("/v1/nowhere"),
        _get("/v1/customers", extra="Stripe-Version: not-a-version\r\n"),
        b"GET /v1/customers HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Basic !!!\r\n\r\n",
        _get("/v1/customers?limit=abc"),
        _get("/v1/customers?%ff=1"),
        _post("/v1/customers", b"email=\xff"),
        _post("/v1/customers", b"unknown_param=1"),
        _get("/v1/customers/a%2Fb"),
        _get("/v1/customers/x%3Fy"),
    ],
    "head": [b"HEAD /v1/customers HTTP/1.1\r\nHost: x\r\n" + AUTH.encode() + b"\r\n", _get("/v1/customers")],
    "idempotent-replay": [
        _post("/v1/customers", b"email=b%40example.com", extra="Idempotency-Key: k1\r\n"),
        _post("/v1/customers", b"email=b%40example.com", extra="Idempotency-Key: k1\r\n"),
        _post("/v1/customers", b"email=c%40example.com", extra="Idempotency-Key: k1\r\n"),
    ],
    "pipelined": [
        _get("/v1/customers?limit=1") + _post("/v1/customers", b"name=P") + _get("/v1/nowhere"),
    ],
    "chunked-body": [_chunked("/v1/customers", [b"email=d%40", b"example.com"])],
    "too-large": [
        b"POST /v1/customers HTTP/1.1\r\nHost: x\r\n" + AUTH.encode() + b"Content-Length: 99999999\r\n\r\nemail=x",
    ],
    "http-1.0": [_get("/v1/customers", version="1.0")],
    "connection-close": [_get("/v1/customers", extra="Connection: close\r\n")],
    "expect-continue": [_post("/v1/customers", b"name=E", extra="Expect: 100-continue\r\n")],
    "parser-error": [_get("/v1/customers"), b"NOT HTTP AT ALL\r\n\r\n"],
}


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[ReferenceServer, ReferenceServer]]:
    """A server on the direct protocol and one on uvicorn's request path."""
    assert server.http_protocol() is DirectHttpToolsProtocol  # what ReferenceServer serves by default
    with ReferenceServer() as direct:
        with pytest.MonkeyPatch.context() as patch:  # only while the second server starts
            patch.setattr(server, "http_protocol", lambda: CoalescingHttpToolsProtocol)
            plain = ReferenceServer().start()
        try:
            yield direct, plain
        finally:
            plain.stop()


def _converse(port: int, messages: list[bytes]) -> list[bytes]:
    """Send each message and read what comes back until the server goes quiet or closes."""
    answers = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for message in messages:
            sock.sendall(message)
            answers.append(_read(sock))
    return answers


def _read(sock: socket.socket) -> bytes:
    received = b""
    sock.settimeout(2.0)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            break
        if not chunk:
            return received + b"<closed>"
        received += chunk
        sock.settimeout(0.15)  # the answer is written at once; a short quiet means it is complete
    return received


def _masked(answer: bytes) -> bytes:
    answer = _VARYING.sub(rb'"\1": X', _DATE.sub(b"date: D\r\n", answer))
    return _RANDOM.sub(rb"\1_X", answer)


@pytest.mark.parametrize("name", list(CONVERSATIONS))
def test_direct_answers_are_uvicorns_bytes(servers: tuple[ReferenceServer, ReferenceServer], name: str) -> None:
    direct, plain = servers
    assert direct.app is not plain.app
    got = [_masked(answer) for answer in _converse(direct.port, CONVERSATIONS[name])]
    expected = [_masked(answer) for answer in _converse(plain.port, CONVERSATIONS[name])]
    assert got == expected
    assert all(answer.startswith(b"HTTP/1.1 ") for answer in got)


def test_a_body_still_arriving_goes_through_the_task_path() -> None:
    """The head first, the body a moment later: the app awaits it, and the answer is the same."""
    with ReferenceServer() as direct, socket.create_connection(("127.0.0.1", direct.port)) as sock:
        body = b"email=late%40example.com"
        message = _post("/v1/customers", body)
        sock.sendall(message[: -len(body)])
        time.sleep(0.1)
        sock.sendall(body)
        answer = _read(sock)
    assert answer.startswith(b"HTTP/1.1 200 OK") and b'"email": "late@example.com"' in answer


def test_whole_requests_start_no_task_and_a_late_body_starts_one(monkeypatch: pytest.MonkeyPatch) -> None:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    started: list[object] = []
    original = HttpToolsProtocol._start_asgi_task

    def counting(self: HttpToolsProtocol, cycle: object, app: object) -> None:
        started.append(cycle)
        original(self, cycle, app)  # type: ignore[arg-type]

    monkeypatch.setattr(HttpToolsProtocol, "_start_asgi_task", counting)
    with ReferenceServer() as direct, socket.create_connection(("127.0.0.1", direct.port)) as sock:
        for _ in range(3):
            sock.sendall(_get("/v1/customers"))
            assert _read(sock).startswith(b"HTTP/1.1 200 OK")
        assert started == []
        body = b"name=late"
        message = _post("/v1/customers", body)
        sock.sendall(message[: -len(body)])
        time.sleep(0.1)
        sock.sendall(body)
        assert _read(sock).startswith(b"HTTP/1.1 200 OK")
        assert len(started) == 1
