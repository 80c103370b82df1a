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

from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import (
    HEADER_RE,
    HEADER_VALUE_RE,
    STATUS_LINE,
    HttpToolsProtocol,
    RequestResponseCycle,
)

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
    """The coalescing protocol, answering requests that arrived whole without starting a task."""

    _in_head: bool = False
    _deferred: tuple[RequestResponseCycle, Any] | None = None

    def data_received(self, data: bytes) -> None:
        """Parse ``data``, answering whole requests as they complete; start a task for one still arriving."""
        super().data_received(data)
        deferred = self._deferred
        if deferred is not None:  # a head came in, its body has not (wholly): uvicorn's path after all
            self._deferred = None
            HttpToolsProtocol._start_asgi_task(self, *deferred)

    def on_headers_complete(self) -> None:
        """Let uvicorn build the request's scope and cycle; its task is held back (:meth:`_start_asgi_task`)."""
        self._in_head = True
        try:
            super().on_headers_complete()
        finally:
            self._in_head = False

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """Hold the task of a request the reference app may answer whole; start any other at once."""
        if (
            self._in_head
            and type(app) is ReferenceApp
            and not cycle.waiting_for_100_continue
            and not self.flow.write_paused
        ):
            self._deferred = (cycle, app)
            return
        super()._start_asgi_task(cycle, app)

    def on_message_complete(self) -> None:
        """The request is whole: answer it now if its task was held back."""
        super().on_message_complete()
        deferred = self._deferred
        if deferred is not None and deferred[0] is self.cycle:
            self._deferred = None
            self._answer_whole(*deferred)

    def _answer_whole(self, cycle: RequestResponseCycle, app: ReferenceApp) -> None:
        """Compute the answer synchronously and write it as uvicorn's cycle would have."""
        scope = cast(Scope, cycle.scope)
        try:
            reply = app.answer_whole(scope, bytes(cycle.body))
        except Exception as error:  # uvicorn logs the same and answers its plain 500
            self.logger.error("Exception in ASGI application\n", exc_info=error)
            reply = _SERVER_ERROR
        cycle.response_started = True
        head = self._head(cycle, reply)
        if head is None:  # a header uvicorn refuses: it logs, and closes the connection unanswered
            self.transport.close()
            cycle.on_response = lambda: None
            return
        transport = self.transport
        data = head if scope["method"] == "HEAD" else head + reply.body
        if isinstance(transport, CoalescingTransport):
            transport.write_now(data)
        else:
            transport.write(data)
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            transport.close()
        cycle.on_response()
        cycle.on_response = lambda: None

    def _head(self, cycle: RequestResponseCycle, reply: Reply) -> bytes | None:
        """The status line and headers uvicorn writes for ``reply``, or ``None`` (logged) if it refuses one."""
        content = [STATUS_LINE[reply.status]]
        close = False
        for name, value in (*cycle.default_headers, *reply.headers):
            if HEADER_RE.search(name) or HEADER_VALUE_RE.search(value):
                refused = "name" if HEADER_RE.search(name) else "value"
                error = RuntimeError(f"Invalid HTTP header {refused}.")
                self.logger.error("Exception in ASGI application\n", exc_info=error)
                return None
            name = name.lower()
            if name == b"connection" and b"close" in [token.lower().strip() for token in value.split(b",")]:
                cycle.keep_alive = False
                close = True
            content.extend((name, b": ", value, b"\r\n"))
        if not cycle.keep_alive and not close:
            content.append(b"connection: close\r\n")
        content.append(b"\r\n")
        return b"".join(content)
