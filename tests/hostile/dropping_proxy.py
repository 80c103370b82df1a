"""A loopback proxy that lets the target commit a request, then drops the response on the floor.

It forwards each request to the upstream server and waits for the full answer, so the upstream has
acted; for the requests ``drop`` selects it then closes the client's connection without sending a
byte. The client sees a connection cut after its request went out: the case where only an
idempotency key makes a retry safe.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from hostile_server import LoopbackServer, Seen, _read_request


class DroppingProxy:
    """Forward to ``upstream``; drop the answer to every request for which ``drop(seen, n)`` is true."""

    def __init__(self, upstream: str, drop: Callable[[Seen, int], bool]) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.forwarded: list[Seen] = []
        self.dropped: list[Seen] = []
        self._lock = threading.Lock()
        self._loopback = LoopbackServer(lambda sock: self._serve(sock, drop))

    @property
    def url(self) -> str:
        return self._loopback.url

    def _serve(self, sock: socket.socket, drop: Callable[[Seen, int], bool]) -> None:
        sock.settimeout(10)
        reader = sock.makefile("rb")
        try:
            request = _read_request(reader)
            if request is None:
                return
            status, reason, headers, body = self._forward(request)
            with self._lock:
                self.forwarded.append(request)
                dropping = drop(request, len(self.forwarded))
                if dropping:
                    self.dropped.append(request)
            if dropping:
                sock.shutdown(socket.SHUT_RDWR)  # the upstream has committed; the client hears nothing
                return
            head = f"HTTP/1.1 {status} {reason}\r\n" + "".join(
                f"{k}: {v}\r\n" for k, v in headers if k.lower() not in ("connection", "content-length")
            )
            head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            sock.sendall(head.encode("latin-1") + body)
        except OSError:
            return
        finally:
            reader.close()

    def _forward(self, request: Seen) -> tuple[int, str, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.upstream, timeout=10)
        try:
            headers = {k: v for k, v in request.headers.items() if k not in ("host", "connection")}
            connection.request(request.method, request.path, body=request.body or None, headers=headers)
            answer = connection.getresponse()
            return answer.status, answer.reason, answer.getheaders(), answer.read()
        finally:
            connection.close()

    def __enter__(self) -> DroppingProxy:
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()
