"""The ASGI side of the reference server: reading a request from a scope, answering, lifespan.

No framework objects are built per request: the pipeline (:mod:`.app`) gets the four request
fields it uses and reads the body only when it needs it, and the answer goes out as the two
ASGI messages a framework would send. A request used to spend about a third of its time in
Starlette's request, response and middleware objects (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, NamedTuple

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
"""The ASGI 3 signatures (the same shapes as ``starlette.types``)."""

_URL_SPECIAL = re.compile(r"[?#\\\t\r\n]")
_URL_ESCAPES = str.maketrans({"?": "%3F", "#": "%23", "\\": "%5C", "\t": None, "\r": None, "\n": None})


MAX_BODY_BYTES = 1024 * 1024
"""Largest request body read (Stripe's API bodies are form parameters: a few kilobytes at most)."""
BODY_TIMEOUT = 30.0
"""Seconds a client has to send the whole request body once its headers are in."""


class ClientDisconnected(Exception):
    """The client went away before it had sent the whole request body."""


class BodyRefused(Exception):
    """The request body is larger than allowed, or is sent too slowly; it was not read whole."""

    def __init__(self, status: int, message: str) -> None:
        """Answer ``status`` (413 or 408) with ``message``."""
        super().__init__(message)
        self.status = status


class Reply(NamedTuple):
    """An answer: status, headers in the order sent, body."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class IncomingRequest:
    """One HTTP request: method, path, query, the headers the server reads, and the body on demand."""

    __slots__ = (
        "_receive", "authorization", "content_length", "idempotency_key", "max_body", "method", "path", "query",
        "stripe_version",
    )

    def __init__(self, scope: Scope, receive: Receive | None, max_body: int = MAX_BODY_BYTES) -> None:
        """Read what the pipeline needs from an ASGI ``http`` scope (the first of a repeated header wins).

        ``receive`` is ``None`` when the whole body is already known (it is then never read from here).
        """
        self.method: str = scope["method"]
        self.path = request_path(scope["path"])
        self.query: bytes = scope.get("query_string", b"")
        self.max_body = max_body
        self.content_length: int | None = None
        authorization = stripe_version = idempotency_key = None
        for name, value in scope["headers"]:
            if name == b"content-length":
                self.content_length = int(value) if value.isdigit() else None
            elif name == b"authorization":
                if authorization is None:
                    authorization = value.decode("latin-1")
            elif name == b"stripe-version":
                if stripe_version is None:
                    stripe_version = value.decode("latin-1")
            elif name == b"idempotency-key" and idempotency_key is None:
                idempotency_key = value.decode("latin-1")
        self.authorization: str | None = authorization
        self.stripe_version: str | None = stripe_version
        self.idempotency_key: str | None = idempotency_key
        self._receive = receive

    async def body(self) -> bytes:
        """Receive the whole request body, at most ``max_body`` bytes within ``BODY_TIMEOUT`` seconds.

        Raise :class:`BodyRefused` as soon as the body is known to be too large (from its
        Content-Length, or from what has arrived) or too slow, without reading the rest, and
        :class:`ClientDisconnected` if the client left first.
        """
        if self.content_length is not None and self.content_length > self.max_body:
            raise BodyRefused(413, self._too_large())
        if self._receive is None:
            raise RuntimeError("this request's body was handed over whole and cannot be received")
        try:
            async with asyncio.timeout(BODY_TIMEOUT):
                return await self._read_body()
        except TimeoutError:
            raise BodyRefused(408, f"The request body did not arrive within {BODY_TIMEOUT:g} seconds.") from None

    def check_body_size(self, size: int) -> None:
        """Raise :class:`BodyRefused` (413) if the announced length, or ``size`` of a body come whole, is too large."""
        if (self.content_length is not None and self.content_length > self.max_body) or size > self.max_body:
            raise BodyRefused(413, self._too_large())

    async def _read_body(self) -> bytes:
        receive = self._receive
        assert receive is not None  # body() checked it
        message = await receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            body: bytes = message.get("body", b"")
            if len(body) > self.max_body:
                raise BodyRefused(413, self._too_large())
            return body
        chunks: list[bytes] = []
        size = 0
        while True:
            if message["type"] == "http.disconnect":
                raise ClientDisconnected
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                size += len(chunk)
                if size > self.max_body:
                    raise BodyRefused(413, self._too_large())
                chunks.append(chunk)
                if not message.get("more_body", False):
                    return b"".join(chunks)
            message = await receive()

    def _too_large(self) -> str:
        return f"The request body is larger than {self.max_body} bytes, the most this server accepts."


def request_path(path: str) -> str:
    r"""Return the request path as the server has always reported it (Starlette's ``request.url.path``).

    ``?``, ``#`` and ``\`` are shown percent-encoded, tabs and line breaks are dropped (URL
    parsing removes them), and a path is always absolute.
    """
    if _URL_SPECIAL.search(path) is not None:
        path = path.translate(_URL_ESCAPES)
    if path and path[0] != "/":
        path = "/" + path
    return path


async def send_reply(send: Send, reply: Reply) -> None:
    """Send an answer as the two ASGI messages: start, then the whole body."""
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    await send({"type": "http.response.body", "body": reply.body})


async def run_lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge start-up and shut-down: the server has nothing to open or close."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
