"""The reference server's limits: huge bodies refused unread, slow or idle sockets closed, a bounded store.

The server runs in its own process (``stripe-conformance serve``) so that its resident memory can be
read from /proc. Sizes here keep the file to a few seconds; benchmarks/reference_limits.py measures
the same at full size (100 MB bodies, 30,000 creates over HTTP).
"""

import contextlib
import socket
import time
from pathlib import Path

import pytest

from benchmarks.reference_limits import AUTH, MB, read_answer, rss_mb, send_body, start_server
from conformance.reference import coalescing
from conformance.reference.asgi import MAX_BODY_BYTES
from conformance.reference.server import ReferenceServer
from conformance.reference.store import Store

KEY = "sk_test_limits1"

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads resident memory from /proc")


@pytest.fixture
def served():
    """A reference server in its own process, on a free loopback port; yields (port, pid)."""
    process, port = start_server("--max-objects", "500")
    try:
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_huge_body_is_refused_unread_with_a_stripe_envelope(served, chunked):
    port, pid = served
    before = rss_mb(pid)
    started = time.monotonic()
    (status, head, body), sent = send_body(port, 100 * MB, chunked=chunked)
    elapsed = time.monotonic() - started
    after = rss_mb(pid)
    assert status == 413 and body["error"]["type"] == "invalid_request_error", (status, body)
    assert "connection: close" in head.lower()
    assert after - before < 20, f"RSS {before:.0f} -> {after:.0f} MB"
    assert elapsed < 10
    print(f"\n100 MB body ({'chunked' if chunked else 'content-length'}): {status} in {elapsed:.2f} s, "
          f"{sent / MB:.0f} MB sent, RSS {before:.0f} -> {after:.0f} MB")


def test_body_just_under_the_cap_is_read(served):
    port, _ = served
    (status, _, body), _ = send_body(port, MAX_BODY_BYTES - 10)  # a large but allowed form: one unknown param
    assert status == 400 and body["error"]["type"] == "invalid_request_error"


def test_slow_and_idle_sockets_are_closed(monkeypatch):
    monkeypatch.setattr(coalescing, "HEAD_TIMEOUT", 1.0)
    with ReferenceServer() as server:
        sockets = []
        for number in range(200):
            sock = socket.create_connection(("127.0.0.1", server.port))
            if number % 2:
                sock.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Slow: a")  # slowloris: never finishes
            sockets.append(sock)
        time.sleep(1.5)
        for sock in sockets[1::2]:
            with contextlib.suppress(OSError):
                sock.sendall(b"a")  # keep trickling: the deadline runs from the first byte, not the last
        deadline = time.monotonic() + 5
        closed = 0
        for sock in sockets:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            with contextlib.suppress(TimeoutError, OSError):
                closed += sock.recv(1) == b""
            sock.close()
        assert closed == 200, f"{200 - closed} of 200 slow or idle sockets still open"
        # The server still answers a well-behaved client at once.
        with socket.create_connection(("127.0.0.1", server.port)) as sock:
            sock.sendall(f"GET /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n\r\n".encode())
            assert read_answer(sock)[0] == 200


def test_keep_alive_closes_idle_connections_only(monkeypatch):
    """One timer per connection serves the head deadline and the keep-alive timeout: busy connections stay open."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    monkeypatch.setattr(coalescing, "HEAD_TIMEOUT", 1.0)
    original = HttpToolsProtocol.__init__

    def short_keep_alive(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.timeout_keep_alive = 0.5

    monkeypatch.setattr(HttpToolsProtocol, "__init__", short_keep_alive)
    request = f"GET /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n\r\n".encode()
    with ReferenceServer() as server:
        idle = socket.create_connection(("127.0.0.1", server.port))
        busy = socket.create_connection(("127.0.0.1", server.port))
        with idle, busy:
            idle.sendall(request)
            assert read_answer(idle)[0] == 200
            started = time.monotonic()
            while time.monotonic() - started < 2.5:  # past both deadlines, counted from the first request
                busy.sendall(request)
                assert read_answer(busy)[0] == 200
                time.sleep(0.2)
            idle.settimeout(1)
            assert idle.recv(1) == b""
            # A head begun on a busy connection still has its own deadline.
            busy.sendall(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\n")
            started = time.monotonic()
            busy.settimeout(3)
            assert busy.recv(1) == b""
            assert 0.8 < time.monotonic() - started < 2.5


def test_oversized_head_closes_the_connection():
    with ReferenceServer() as server, socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(5)
        try:
            sock.sendall(b"GET /v1/customers HTTP/1.1\r\n" + b"X-Big: " + b"a" * (coalescing.MAX_HEAD_BYTES + 10))
            assert sock.recv(1) == b""
        except ConnectionResetError:
            pass


def test_store_is_bounded_and_says_so(served):
    port, pid = served
    before = rss_mb(pid)
    statuses = []
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for _ in range(600):
            sock.sendall(f"POST /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\nContent-Length: 0\r\n\r\n".encode())
            status, _, body = read_answer(sock)
            statuses.append(status)
        assert statuses.count(200) == 500 and statuses[500:] == [400] * 100
        assert "maximum of 500 objects" in body["error"]["message"]
        # Deleting makes room again.
        sock.sendall(f"GET /v1/customers?limit=1 HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n\r\n".encode())
        customer = read_answer(sock)[2]["data"][0]["id"]
        sock.sendall(f"DELETE /v1/customers/{customer} HTTP/1.1\r\nHost: x\r\n{AUTH}\r\n\r\n".encode())
        assert read_answer(sock)[0] == 200
        sock.sendall(f"POST /v1/customers HTTP/1.1\r\nHost: x\r\n{AUTH}\r\nContent-Length: 0\r\n\r\n".encode())
        assert read_answer(sock)[0] == 200
    print(f"\n600 creates with --max-objects 500: RSS {before:.0f} -> {rss_mb(pid):.0f} MB")


def test_thirty_thousand_creates_stay_bounded_in_the_store():
    from conformance.reference.errors import ApiError

    store = Store(max_objects=1000, max_idempotency_records=1000)
    refused = []
    for _ in range(30_000):
        try:
            store.create_customer({}, version="2023-08-16")
        except ApiError as error:
            refused.append((error.status, error.message))
    assert len(refused) == 29_000 and len(store.ordered_customers()) == 1000
    assert {status for status, _ in refused} == {400} and "maximum of 1000 objects" in refused[0][1]
    for number in range(3000):
        store.begin_idempotent((KEY, f"k{number}"), None)
        store.finish_idempotent((KEY, f"k{number}"), object())
    assert len(store._idempotent) == 1000  # the oldest keys are forgotten first
