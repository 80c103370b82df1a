"""Transports: the seam between the client and whatever carries its bytes."""

from __future__ import annotations

import io
import math
import socket
import threading
import time
from typing import TYPE_CHECKING, Any, Protocol

import urllib3
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection, BaseHTTPSConnection

from conformance.http.exchange import Request, Response
from conformance.http.traffic import count_answer, count_request

MAX_BODY_BYTES = 8 * 1024 * 1024


class TransportError(Exception):
    """The request got no usable HTTP response (refused, timed out, cut off)."""

    def __init__(self, message: str, request: Request) -> None:
        super().__init__(message)
        self.request = request


class Transport(Protocol):
    """Anything that turns a ``Request`` into a ``Response``."""

    def send(self, request: Request) -> Response:
        """Send ``request`` and return the response, or raise ``TransportError``."""
        ...

    def close(self) -> None:
        """Release pooled connections."""
        ...


class Urllib3Transport:
    """A keep-alive transport over urllib3 that never follows redirects or reads unbounded bodies."""

    def __init__(
        self, *, timeout: float = 30.0, connect_timeout: float = 5.0, max_body: int = MAX_BODY_BYTES
    ) -> None:
        """Create a pool; ``timeout`` bounds each read, ``connect_timeout`` each connect."""
        self._pool = urllib3.PoolManager(
            num_pools=4,
            maxsize=8,
            retries=False,
            timeout=urllib3.Timeout(connect=connect_timeout, read=timeout),
        )
        self._deadlines = threading.local()
        self._pool.pool_classes_by_scheme = _deadline_pools(self._deadlines)
        self._max_body = max_body
        self._deadline_per_request = timeout

    def send(self, request: Request) -> Response:
        """Send ``request`` over a pooled connection."""
        started = time.perf_counter()
        # Every read of this request, headers included, ends by this instant (see _DeadlineSocket).
        self._deadlines.instant = time.monotonic() + self._deadline_per_request
        count_request()
        try:
            raw = self._pool.request(
                request.method,
                request.url,
                body=request.body or None,
                headers=dict(request.headers),
                redirect=False,
                preload_content=False,
            )
            body = self._read_bounded(raw, started)
        except urllib3.exceptions.HTTPError as exc:
            raise TransportError(_describe(exc), request) from None
        count_answer(raw.status)
        headers = tuple((k, v) for k, v in raw.headers.items())
        return Response(
            status=raw.status,
            headers=headers,
            body=body,
            request=request,
            elapsed=time.perf_counter() - started,
        )

    def _read_bounded(self, raw: urllib3.BaseHTTPResponse, started: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        truncated = False
        try:
            # read1 returns after each socket read, so a body trickled a byte at a time still meets
            # the per-request deadline below (stream() would block until 64 KiB had arrived).
            while chunk := raw.read1(64 * 1024, decode_content=True):
                chunks.append(chunk)
                size += len(chunk)
                if size > self._max_body:
                    chunks.append(b"\n[body truncated by stripe-conformance]")
                    truncated = True
                    break
                if time.perf_counter() - started > self._deadline_per_request:
                    raise urllib3.exceptions.ReadTimeoutError(
                        None, None, "body did not finish within the request timeout"  # type: ignore[arg-type]
                    )
        finally:
            if truncated:
                raw.close()  # the rest is unread: never hand this connection back to the pool
            else:
                raw.release_conn()
        return b"".join(chunks)

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()


class _DeadlineSocket:
    """A connected socket whose reads never wait past the current request's deadline.

    The read timeout bounds each wait for bytes; a server trickling its status line, headers or
    body a byte at a time meets it at every read and would hold the request forever. Here each read
    waits at most until the deadline, then times out like a silent server.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._timeout: float | None = sock.gettimeout()
        self.deadline = math.inf

    def settimeout(self, value: float | None) -> None:
        self._timeout = value
        self._sock.settimeout(value)

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("timed out")
        self._sock.settimeout(remaining if self._timeout is None else min(remaining, self._timeout))
        return self._sock.recv_into(buffer, nbytes, flags)

    def makefile(self, mode: str = "rb", buffering: int | None = None, **_: Any) -> io.BufferedReader:
        return io.BufferedReader(socket.SocketIO(self, "rb"), buffering or io.DEFAULT_BUFFER_SIZE)  # type: ignore[arg-type]

    def _decref_socketios(self) -> None:
        """Called by ``SocketIO.close``; the wrapped socket keeps no count of our readers."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def _deadline_pools(deadlines: threading.local) -> dict[str, type[HTTPConnectionPool]]:
    """Pool classes whose connections read through a ``_DeadlineSocket`` set to ``deadlines.instant``.

    Only ``_new_conn`` is extended: the connection classes are still looked up on urllib3's own pool
    classes at request time, where vcrpy swaps them when a run records or replays cassettes.
    """

    class Pool(HTTPConnectionPool):
        def _new_conn(self) -> BaseHTTPConnection:
            connection = super()._new_conn()
            _arm(connection, deadlines)
            return connection

    class TLSPool(HTTPSConnectionPool):
        def _new_conn(self) -> BaseHTTPSConnection:
            connection = super()._new_conn()
            _arm(connection, deadlines)
            return connection

    return {"http": Pool, "https": TLSPool}


def _arm(connection: Any, deadlines: threading.local) -> None:
    """Make every ``getresponse`` of ``connection`` first put the request's deadline on its socket."""
    getresponse = connection.getresponse

    def armed_getresponse(*args: Any, **kwargs: Any) -> Any:
        sock: Any = getattr(connection, "sock", None)
        if isinstance(sock, socket.socket):  # a live socket (a cassette stub has none)
            sock = _DeadlineSocket(sock)
            connection.sock = sock
        if isinstance(sock, _DeadlineSocket):
            sock.deadline = getattr(deadlines, "instant", math.inf)
        return getresponse(*args, **kwargs)

    # Set on the instance itself: a vcrpy stub (recording, replaying) would copy an ordinary
    # assignment onto the real connection it wraps, which then calls back into this one.
    object.__setattr__(connection, "getresponse", armed_getresponse)


def _describe(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    text = str(reason)
    if isinstance(exc, urllib3.exceptions.ProtocolError) and exc.args:
        text = str(exc.args[0])  # "Connection broken: IncompleteRead(...)", without the nested repr
    if "Connection refused" in text:
        return "connection refused"
    if isinstance(exc, urllib3.exceptions.TimeoutError) or "timed out" in text.lower():
        return "timed out"
    return text.splitlines()[0] if text else type(exc).__name__
