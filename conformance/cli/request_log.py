"""``serve --log``: one redacted line per request the reference server answers.

An ASGI wrapper around the reference app, kept out of the reference server (which imports nothing
else of the package): it writes when the answer starts, with the method, the path and query (keys,
client secrets and card numbers redacted by ``conformance.http.redaction``), the status, the time
taken, and whether a key, a ``Stripe-Account`` or an ``Idempotency-Key`` came with the request
(never their values).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from conformance.http.redaction import redact_text, redact_url

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_FLAGS = ((b"authorization", "key"), (b"stripe-account", "account"), (b"idempotency-key", "idempotent"))


def request_line(method: str, path: str, query: str, status: int, seconds: float, flags: list[str]) -> str:
    """Return the log line of one request (redacted), without the time stamp."""
    target = redact_url(path + (f"?{query}" if query else ""))
    extra = f" [{' '.join(flags)}]" if flags else ""
    return redact_text(f"{method} {target} {status} {seconds * 1000:.1f}ms{extra}")


class RequestLog:
    """Wrap an ASGI app and write one line per HTTP request it answers."""

    def __init__(self, app: ASGIApp, write: Callable[[str], None]) -> None:
        """Log ``app``'s requests through ``write`` (e.g. ``print`` with flush)."""
        self._app = app
        self._write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request through the wrapped app, noting its status when the answer starts."""
        if scope.get("type") != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = {name.lower() for name, _ in scope.get("headers", [])}
        flags = [label for name, label in _FLAGS if name in headers]

        async def noting_send(message: Message) -> None:
            if message.get("type") == "http.response.start":
                line = request_line(
                    str(scope.get("method", "?")),
                    str(scope.get("path", "")),
                    bytes(scope.get("query_string", b"")).decode("latin-1"),
                    int(message.get("status", 0)),
                    time.perf_counter() - started,
                    flags,
                )
                self._write(f"{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z {line}")
            await send(message)

        await self._app(scope, receive, noting_send)
