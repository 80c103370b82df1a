"""Writing each answer's head and body in one system call; closing connections that send no head in time.

uvicorn writes the status line and headers as soon as the app sends ``http.response.start`` and
the body in a second write: two system calls and, over loopback, two wake-ups of the client for
every answer. The reference app sends its whole body right after the start message, so the
transport here holds a write back until the next one comes (head + body leave together) or the
event loop turns, whichever is first; bytes never change order. It saved about 5 µs of server CPU
per request, a tenth of what uvicorn costs (benchmarks/RESULTS.md).

uvicorn closes a keep-alive connection idle between requests, but not one that was opened and
never sent anything, nor one sending its request line and headers a byte at a time (slowloris):
the protocol here gives every request ``HEAD_TIMEOUT`` seconds and ``MAX_HEAD_BYTES`` bytes to
send its head, counted from the connection or from the request's first byte, and closes the
connection otherwise. The body's own limits are the application's (``asgi.IncomingRequest``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_TIMEOUT = 10.0
"""Seconds a connection has to send a request's line and headers (from connecting, or from its first byte)."""
MAX_HEAD_BYTES = 64 * 1024
"""Most bytes a request line and headers may take."""


class CoalescingTransport:
    """A transport wrapper that sends two consecutive writes as one; everything else passes through."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        """Wrap ``transport``, whose event loop is ``loop``."""
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Hold ``data`` until the next write or the next turn of the event loop."""
        if self._held is None:
            self._held = bytes(data)
            self._loop.call_soon(self.flush)
            return
        held, self._held = self._held, None
        self._transport.write(held + data)

    def write_now(self, data: bytes) -> None:
        """Send ``data`` at once, after anything held (a whole answer: nothing follows it to wait for)."""
        held, self._held = self._held, None
        self._transport.write(data if held is None else held + data)

    def writelines(self, chunks: Iterable[bytes | bytearray | memoryview]) -> None:
        """Write ``chunks`` as one piece, after anything held."""
        self.write(b"".join(chunks))

    def flush(self) -> None:
        """Send what is held, unless the connection is closing."""
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def is_closing(self) -> bool:
        """Tell whether the wrapped transport is closing (asked after every answer: spelled out, not forwarded)."""
        return self._transport.is_closing()

    def write_eof(self) -> None:
        """Send what is held, then close the sending side."""
        self.flush()
        self._transport.write_eof()

    def close(self) -> None:
        """Send what is held, then close."""
        self.flush()
        self._transport.close()

    def abort(self) -> None:
        """Drop what is held and close at once."""
        self._held = None
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        """Everything else is the wrapped transport's."""
        return getattr(self._transport, name)


class CoalescingHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, writing through a :class:`CoalescingTransport`, with a deadline per head.

    The head deadline and uvicorn's keep-alive timeout share one timer per connection that is
    re-armed only when it fires, instead of a timer started and cancelled for every request
    (four timer operations per request in uvicorn's and the first version of this protocol).
    It fires at the latest ``min(HEAD_TIMEOUT, keep-alive timeout)`` after being armed, and then
    at the earliest deadline still running, so no deadline is ever late.
    """

    _head_since: float | None = None
    _head_bytes: int | None = None
    _idle_since: float | None = None
    _deadline_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Serve the connection through the coalescing wrapper (a transport in all but its class)."""
        super().connection_made(cast(asyncio.Transport, CoalescingTransport(transport, self.loop)))
        self._await_head()

    def data_received(self, data: bytes) -> None:
        """Parse ``data``; close the connection if a head still incomplete after it has grown too large."""
        super().data_received(data)
        if self._head_bytes is not None:  # the head is still not complete (a finished head resets this)
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._close()

    def on_message_begin(self) -> None:
        """A request starts: its head must be complete within the deadline."""
        super().on_message_begin()
        if self._head_since is None:
            self._await_head()

    def on_headers_complete(self) -> None:
        """The head is in: no deadline until the next request begins."""
        self._stop_waiting()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """Do uvicorn's bookkeeping after an answer, the keep-alive timeout counted by the shared timer."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self._unset_keepalive_if_required()
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        else:
            self._idle_since = self.loop.time()
            self._arm_deadlines()

    def _unset_keepalive_if_required(self) -> None:
        """Data arrived (or the connection ended): the connection is no longer idle."""
        self._idle_since = None
        super()._unset_keepalive_if_required()

    def connection_lost(self, exc: Exception | None) -> None:
        """Drop the deadlines with the connection."""
        self._stop_waiting()
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
            self._deadline_timer = None
        super().connection_lost(exc)

    def _await_head(self) -> None:
        self._head_bytes = 0
        self._head_since = self.loop.time()
        self._arm_deadlines()

    def _stop_waiting(self) -> None:
        self._head_since = self._head_bytes = None

    def _arm_deadlines(self) -> None:
        if self._deadline_timer is None:
            self._deadline_timer = self.loop.call_later(self._timer_period(), self._check_deadlines)

    def _timer_period(self) -> float:
        return min(HEAD_TIMEOUT, self.timeout_keep_alive)

    def _check_deadlines(self) -> None:
        """Close the connection if a deadline has passed; otherwise wait for the earliest one still running."""
        self._deadline_timer = None
        now = self.loop.time()
        running = []
        if self._head_since is not None:
            if now >= self._head_since + HEAD_TIMEOUT:
                self._close()
                return
            running.append(self._head_since + HEAD_TIMEOUT)
        if self._idle_since is not None:
            if now >= self._idle_since + self.timeout_keep_alive:
                self._idle_since = None
                self.timeout_keep_alive_handler()
                return
            running.append(self._idle_since + self.timeout_keep_alive)
        if running:
            when = min(*running, now + self._timer_period())
            self._deadline_timer = self.loop.call_at(when, self._check_deadlines)

    def _close(self) -> None:
        self._stop_waiting()
        if not self.transport.is_closing():
            self.transport.close()
