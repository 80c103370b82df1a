"""Answering a request whose head and body arrived together at once, without a task per request.

uvicorn starts an asyncio task for every request and lets the app await its body and send two
messages, each checked and turned into bytes by a request/response cycle object. Most requests
to the reference server arrive whole in one read, and the reference app needs nothing it would
have to wait for, so :class:`DirectHttpToolsProtocol` answers those while the data is parsed:
the app computes the answer synchronously (:meth:`.app.ReferenceApp.answer_whole`) and the
protocol writes head and body in one system call. The bytes are the ones uvicorn writes (same
status line, uvicorn's default ``date`` and ``server`` headers first, same header checks,
``connection: close`` when the connection ends, no body for ``HEAD``).

Everything else takes uvicorn's own path, unchanged: a body still arriving (the app then awaits
it under its deadline), ``Expect: 100-continue``, pipelined requests behind an unfinished one,
upgrades, a client that does not read its answers (writing paused), and any app other than the
reference app (middleware-wrapped apps included). It took about half of the server's CPU per
request off a card list (benchmarks/RESULTS.md, session 5).
"""

from __future__ import annotations

import urllib.parse
from typing import cast

import httptools
from uvicorn.protocols.http.httptools_impl import HEADER_RE, HEADER_VALUE_RE, STATUS_LINE, HttpToolsProtocol

from .app import ReferenceApp
from .asgi import Reply, Scope
from .coalescing import CoalescingHttpToolsProtocol, CoalescingTransport

_SERVER_ERROR = Reply(
    500,
    [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", b"21"), (b"connection", b"close")],
    b"Internal Server Error",
)
"""uvicorn's answer when the app fails (``RequestResponseCycle.send_500_response``)."""


class DirectHttpToolsProtocol(CoalescingHttpToolsProtocol):
    """The coalescing protocol, answering requests that arrived whole without a task or a cycle object."""

    _whole: bool = False
    """A head is in whose request the reference app may answer as soon as its body is complete."""
    _body: bytes = b""
    _keep_alive: bool = True
    _defaults: tuple[object, bytes | None] = (None, None)
    """The server's default header list last seen, and its encoded bytes (``None``: not usable as they are)."""

    def data_received(self, data: bytes) -> None:
        """Parse ``data``, answering whole requests as they complete; a request still arriving goes to a task."""
        super().data_received(data)
        if self._whole:  # its body has not (wholly) arrived: uvicorn's path after all, with what came
            self._whole = False
            body, self._body = self._body, b""
            HttpToolsProtocol.on_headers_complete(self)
            if body:
                HttpToolsProtocol.on_body(self, body)

    def on_headers_complete(self) -> None:
        """Hold a request the reference app may answer whole; hand any other to uvicorn."""
        self._stop_waiting()
        parser = self.parser
        current = self.cycle
        if (
            type(self.app) is not ReferenceApp
            or self.expect_100_continue
            or not (current is None or current.response_complete)
            or self.flow.write_paused
            or self.limit_concurrency is not None
            or parser.should_upgrade()
        ):
            HttpToolsProtocol.on_headers_complete(self)
            return
        # The scope as uvicorn's on_headers_complete fills it.
        scope = self.scope
        http_version = parser.get_http_version()
        scope["method"] = parser.get_method().decode("ascii")
        if http_version != "1.1":
            scope["http_version"] = http_version
        parsed_url = httptools.parse_url(self.url)
        raw_path = parsed_url.path
        path = raw_path.decode("ascii")
        if "%" in path:
            path = urllib.parse.unquote(path)
        scope["path"] = self.root_path + path
        scope["raw_path"] = self.root_path.encode("ascii") + raw_path
        scope["query_string"] = parsed_url.query or b""
        self._keep_alive = http_version != "1.0" and parser.should_keep_alive()
        self._whole = True

    def on_body(self, body: bytes) -> None:
        """Collect the body of a held request; pass any other's to uvicorn."""
        if self._whole:
            self._body += body
        else:
            super().on_body(body)

    def on_message_complete(self) -> None:
        """The request is whole: answer it now if it was held."""
        if not self._whole:
            super().on_message_complete()
            return
        self._whole = False
        body, self._body = self._body, b""
        self._answer_whole(cast(ReferenceApp, self.app), body)

    def _answer_whole(self, app: ReferenceApp, body: bytes) -> None:
        """Compute the answer synchronously and write it as uvicorn's cycle would have."""
        scope = cast(Scope, self.scope)
        try:
            reply = app.answer_whole(scope, body)
        except Exception as error:  # uvicorn logs the same and answers its plain 500
            self.logger.error("Exception in ASGI application\n", exc_info=error)
            reply = _SERVER_ERROR
        transport = self.transport
        head = self._head(reply)
        if head is None:  # a header uvicorn refuses: it logs, and closes the connection unanswered
            transport.close()
            return
        data = head if scope["method"] == "HEAD" else head + reply.body
        if isinstance(transport, CoalescingTransport):
            transport.write_now(data)
        else:
            transport.write(data)
        if not self._keep_alive:
            transport.close()
        self.on_response_complete()

    def _head(self, reply: Reply) -> bytes | None:
        """The status line and headers uvicorn writes for ``reply``, or ``None`` (logged) if it refuses one.

        The server's default headers (``date``, ``server``) change once a second, as a new list:
        their checked and encoded bytes are kept with the list they came from. Both of uvicorn's
        header checks look for single refused characters, so checking the parts apart is checking
        them joined.
        """
        defaults = self.server_state.default_headers
        seen, encoded = self._defaults
        if seen is not defaults:
            encoded = _encoded_defaults(defaults)
            self._defaults = (defaults, encoded)
        if encoded is None:  # a default header uvicorn would refuse, or one naming ``connection``
            return self._write_head(reply.status, b"", [*defaults, *reply.headers])
        return self._write_head(reply.status, encoded, reply.headers)

    def _write_head(self, status: int, encoded: bytes, headers: list[tuple[bytes, bytes]]) -> bytes | None:
        """The status line, ``encoded`` (headers already checked and written), then ``headers``."""
        refused = (
            "name"
            if HEADER_RE.search(b"".join(name for name, _ in headers))
            else "value"
            if HEADER_VALUE_RE.search(b"".join(value for _, value in headers))
            else None
        )
        if refused is not None:
            error = RuntimeError(f"Invalid HTTP header {refused}.")
            self.logger.error("Exception in ASGI application\n", exc_info=error)
            return None
        content = [STATUS_LINE[status], encoded]
        close = False
        for name, value in headers:
            name = name.lower()
            if name == b"connection" and b"close" in [token.lower().strip() for token in value.split(b",")]:
                self._keep_alive = False
                close = True
            content.extend((name, b": ", value, b"\r\n"))
        if not self._keep_alive and not close:
            content.append(b"connection: close\r\n")
        content.append(b"\r\n")
        return b"".join(content)


def _encoded_defaults(defaults: list[tuple[bytes, bytes]]) -> bytes | None:
    """The server's default headers as written, or ``None`` where they need the general path."""
    names = [name.lower() for name, _ in defaults]
    if (
        b"connection" in names
        or HEADER_RE.search(b"".join(names))
        or HEADER_VALUE_RE.search(b"".join(value for _, value in defaults))
    ):
        return None
    return b"".join(b"%s: %s\r\n" % (name, value) for name, (_, value) in zip(names, defaults, strict=True))
