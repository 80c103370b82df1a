"""A deliberately hostile HTTP server on loopback, speaking raw sockets so it can misbehave at byte level.

Each ``Behaviour`` is one way a half-built or overloaded target answers. ``scope`` says which
requests misbehave: ``"all"`` (the preflight too, so the run cannot start) or ``"scenarios"``
(everything except the few calls a run needs to begin and to clean up: the authenticated customer
list, customer create and customer delete, which are answered in Stripe's shape).
"""

from __future__ import annotations

import base64
import json
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

HOSTILE_KEY = "sk_test_hostile1"

BEHAVIOURS = (
    "hang",
    "slow_headers",
    "trickle_body",
    "trickle_headers",
    "close_mid_body",
    "html",
    "plain_text",
    "invalid_json",
    "server_error",
    "rate_limited",
    "huge_body",
    "redirect_loop",
    "empty_200",
    "deep_json",
)


@dataclass
class Seen:
    """One request the server read."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class HostileState:
    """What the server does and what it saw (shared by handler threads)."""

    behaviour: str
    scope: str
    key: str
    stop: threading.Event = field(default_factory=threading.Event)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    customers: int = 0


class LoopbackServer:
    """A threaded TCP server on a free 127.0.0.1 port that hands each connection to ``serve``."""

    def __init__(self, serve: Callable[[socket.socket], None]) -> None:
        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                serve(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self._server.daemon_threads = True
        self._server.allow_reuse_address = True
        self._server.server_bind()
        self._server.server_activate()
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class HostileServer:
    """Serve one hostile behaviour on a free loopback port; use as a context manager."""

    def __init__(
        self, behaviour: str, scope: str = "scenarios", *, key: str = HOSTILE_KEY, huge_size: int = 50 * 1024 * 1024
    ) -> None:
        if behaviour not in BEHAVIOURS:
            raise ValueError(f"unknown behaviour {behaviour!r}")
        if scope not in ("all", "scenarios"):
            raise ValueError(f"unknown scope {scope!r}")
        self.state = HostileState(behaviour, scope, key)
        self.huge_size = huge_size
        self._loopback = LoopbackServer(lambda sock: _serve_connection(sock, self.state, huge_size))

    @property
    def url(self) -> str:
        return self._loopback.url

    @property
    def seen(self) -> list[Seen]:
        with self.state.lock:
            return list(self.state.seen)

    def __enter__(self) -> HostileServer:
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.state.stop.set()
        self._loopback.stop()


def _serve_connection(sock: socket.socket, state: HostileState, huge: int) -> None:
    sock.settimeout(10)
    reader = sock.makefile("rb")
    try:
        while not state.stop.is_set():
            request = _read_request(reader)
            if request is None:
                return
            with state.lock:
                state.seen.append(request)
            keep_open = _answer(sock, request, state, huge)
            if not keep_open:
                return
    except OSError:
        return
    finally:
        reader.close()


def _read_request(reader: Any) -> Seen | None:
    line = reader.readline(65537)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while True:
        raw = reader.readline(65537)
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    body = reader.read(int(headers.get("content-length", "0") or 0))
    return Seen(method, target, headers, body)


def _is_friendly(request: Seen, key: str) -> bool:
    """The calls a run needs to start and to clean up, answered properly under scope 'scenarios'."""
    path = request.path.split("?", 1)[0]
    basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    if request.headers.get("authorization") not in (basic, f"Bearer {key}"):
        return False
    if request.method == "GET" and path == "/v1/customers":
        return True
    if request.method == "POST" and path == "/v1/customers":
        return True
    return request.method == "DELETE" and path.count("/") == 3 and path.startswith("/v1/customers/")


def _answer(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    if state.scope == "scenarios" and _is_friendly(request, state.key):
        status, body = _friendly(request, state)
        _send(sock, status, "application/json", json.dumps(body).encode())
        return True
    return HANDLERS[state.behaviour](sock, request, state, huge)


def _friendly(request: Seen, state: HostileState) -> tuple[int, dict[str, Any]]:
    path = request.path.split("?", 1)[0]
    if request.method == "GET":
        return 200, {"object": "list", "data": [], "has_more": False, "url": "/v1/customers"}
    if request.method == "POST":
        with state.lock:
            state.customers += 1
            number = state.customers
        return 200, {"id": f"cus_hostile{number}", "object": "customer", "created": int(time.time()),
                     "metadata": {}, "default_source": None}
    return 200, {"id": path.rsplit("/", 1)[1], "object": "customer", "deleted": True}


def _send(sock: socket.socket, status: int, content_type: str, body: bytes, extra: str = "") -> None:
    reason = {200: "OK", 302: "Found", 429: "Too Many Requests", 500: "Internal Server Error"}.get(status, "X")
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n{extra}\r\n"
    )
    sock.sendall(head.encode("latin-1") + body)


def _hang(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    state.stop.wait(120)
    return False


def _slow_headers(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    if state.stop.wait(5):
        return False
    _send(sock, 200, "application/json", b"{}")
    return False


def _trickle_body(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
    for _ in range(100000):
        if state.stop.wait(0.05):
            return False
        sock.sendall(b" ")
    return False


def _trickle_headers(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    sock.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
    for _ in range(100000):
        if state.stop.wait(0.05):
            return False
        sock.sendall(b"a")
    return False


def _close_mid_body(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    sock.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"id": "card_')
    sock.shutdown(socket.SHUT_RDWR)
    return False


def _html(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    _send(sock, 200, "text/html", b"<html><body><h1>Welcome to nginx!</h1></body></html>")
    return True


def _plain_text(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    _send(sock, 200, "text/plain", b"OK")
    return True


def _invalid_json(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    _send(sock, 200, "application/json", b'{"id": "card_1", "object": "card", ')
    return True


def _server_error(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    body = {"error": {"type": "api_error", "message": "hostile: internal error"}}
    _send(sock, 500, "application/json", json.dumps(body).encode())
    return True


def _rate_limited(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    body = {"error": {"type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests."}}
    _send(sock, 429, "application/json", json.dumps(body).encode(), "Retry-After: 1\r\n")
    return True


def _huge_body(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    sock.sendall(
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {huge}\r\n\r\n".encode()
    )
    block = b"[" + b"0," * (512 * 1024)
    sent = 0
    while sent < huge:
        piece = block[: min(len(block), huge - sent)]
        sock.sendall(piece)
        sent += len(piece)
    return False


def _redirect_loop(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    _send(sock, 302, "text/html", b"", f"Location: {request.path}\r\n")
    return True


def _empty_200(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    _send(sock, 200, "application/json", b"")
    return True


def _deep_json(sock: socket.socket, request: Seen, state: HostileState, huge: int) -> bool:
    depth = 100_000
    _send(sock, 200, "application/json", b'{"a":' * depth + b"1" + b"}" * depth)
    return True


HANDLERS: dict[str, Callable[[socket.socket, Seen, HostileState, int], bool]] = {
    "hang": _hang,
    "slow_headers": _slow_headers,
    "trickle_body": _trickle_body,
    "trickle_headers": _trickle_headers,
    "close_mid_body": _close_mid_body,
    "html": _html,
    "plain_text": _plain_text,
    "invalid_json": _invalid_json,
    "server_error": _server_error,
    "rate_limited": _rate_limited,
    "huge_body": _huge_body,
    "redirect_loop": _redirect_loop,
    "empty_200": _empty_200,
    "deep_json": _deep_json,
}
