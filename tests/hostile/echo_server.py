"""A loopback target that echoes the caller's credentials back, in every place an answer can carry them.

``mode`` picks where: ``headers`` (response headers), ``json`` (JSON bodies and error messages),
``binary`` (a body that is not UTF-8, with the key and the base64 of its Authorization inside),
``preflight403`` (the first authenticated read answers 403 with the Authorization header, on
several lines, as the error message). Apart from ``preflight403``, the customer list a run starts
with is answered in Stripe's shape, so the suite runs and every scenario meets the echoes.
"""

from __future__ import annotations

import base64
import json
import socket
from typing import Any

from hostile_server import LoopbackServer, Seen, _read_request

MODES = ("headers", "json", "binary", "preflight403")


class EchoServer:
    """Serve one echo ``mode`` on a free loopback port; use as a context manager."""

    def __init__(self, mode: str, key: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        self.mode, self.key = mode, key
        self._loopback = LoopbackServer(self._serve)

    @property
    def url(self) -> str:
        return self._loopback.url

    def __enter__(self) -> EchoServer:
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        reader = sock.makefile("rb")
        try:
            while (request := _read_request(reader)) is not None:
                self._answer(sock, request)
        except OSError:
            return
        finally:
            reader.close()

    def _answer(self, sock: socket.socket, request: Seen) -> None:
        auth = request.headers.get("authorization", "")
        b64_key = base64.b64encode(self.key.encode()).decode()
        path = request.path.split("?", 1)[0]
        listing = request.method == "GET" and path == "/v1/customers"
        extra = {"X-Echo-Authorization": auth, "X-Echo-Key": self.key, "X-Echo-B64": b64_key}
        if self.mode == "preflight403":
            message = f"forbidden for\nAuthorization: {auth}\nkey={self.key}\r\nbase64={b64_key}"
            _send(sock, 403, "application/json", _error(message), extra)
            return
        if listing:
            body: Any = {"object": "list", "data": [], "has_more": False, "url": "/v1/customers"}
            if self.mode == "json":
                body["echo"] = {"authorization": auth, "key": self.key}
            _send(sock, 200, "application/json", json.dumps(body).encode(), extra if self.mode == "headers" else {})
            return
        if self.mode == "headers":
            _send(sock, 400, "application/json", _error("no such thing"), extra)
        elif self.mode == "json":
            message = f"Invalid API Key provided: {self.key} (sent as {auth}; base64 {b64_key})"
            _send(sock, 400, "application/json", _error(message, echo={"key": self.key, "b64": b64_key}))
        else:
            body_bytes = b"\xff\xfe\x00{" + auth.encode() + b" \xc3\x28 " + self.key.encode()
            body_bytes += b"\x80" + b64_key.encode()
            _send(sock, 400, "application/json", body_bytes)


def _error(message: str, **more: Any) -> bytes:
    return json.dumps({"error": {"type": "invalid_request_error", "message": message, **more}}).encode()


def _send(sock: socket.socket, status: int, content_type: str, body: bytes, extra: dict[str, str] | None = None
          ) -> None:
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (extra or {}).items())
    sock.sendall(head.encode("latin-1") + b"\r\n" + body)
