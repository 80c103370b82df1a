"""A loopback stand-in for a remote Stripe: the reference server behind added latency and a rate limit.

Run as ``python -m benchmarks.latency_proxy [--latency 0.05] [--rate 25]``: it starts a fresh reference
server in a thread, serves a forwarding proxy in front of it on a free loopback port, prints
``PROXY <url>`` and, when its standard input closes (or on SIGTERM), one ``STATS <json>`` line with
the requests it forwarded and the ``429`` answers it gave. Every answer, ``429`` included, is held
back ``latency`` seconds (a round trip to a remote API). At most ``rate`` requests are accepted in
any sliding one-second window, as Stripe's test mode allows 25 per second
(https://docs.stripe.com/rate-limits); a request beyond that gets ``429`` with Stripe's error
envelope (``{"error": {"type": ..., "message": ...}}``, no ``rate_limit`` code since API version
2015-09-08, https://docs.stripe.com/changelog/2015-09-08/rate-limited-requests-return-429-no-rate-limit).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

DEFAULT_LATENCY = 0.05
"""Seconds added to every answer."""
DEFAULT_RATE = 25
"""Requests accepted per sliding second: Stripe's test-mode limit."""
WINDOW = 1.0
HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length", "host"})


def rate_limited_body() -> bytes:
    """The JSON body of a ``429`` in Stripe's error envelope."""
    error = {
        "type": "invalid_request_error",
        "message": "Too many requests hit the API too quickly (benchmark proxy rate limit).",
    }
    return json.dumps({"error": error}).encode()


class SlidingWindow:
    """Admit at most ``rate`` events in any window of ``WINDOW`` seconds; rejected events do not count."""

    def __init__(self, rate: int, clock: Callable[[], float] = time.monotonic) -> None:
        """Allow ``rate`` (> 0) admissions per window."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._clock = clock
        self._admitted: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def admit(self) -> bool:
        """Record an admission and return True, or return False when the window is full."""
        with self._lock:
            now = self._clock()
            while self._admitted and now - self._admitted[0] >= WINDOW:
                self._admitted.popleft()
            if len(self._admitted) >= self.rate:
                return False
            self._admitted.append(now)
            return True


@dataclass
class ProxyStats:
    """What the proxy saw: requests received, forwarded, and answered ``429``."""

    received: int = 0
    forwarded: int = 0
    rate_limited: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def as_dict(self) -> dict[str, int]:
        """The counters as a JSON-able dict."""
        with self.lock:
            return {"received": self.received, "forwarded": self.forwarded, "rate_limited": self.rate_limited}


class LatencyProxy:
    """A threaded HTTP/1.1 forwarding proxy to ``upstream`` (host, port) adding latency and a rate limit."""

    def __init__(
        self, upstream: tuple[str, int], *, latency: float = DEFAULT_LATENCY, rate: int = DEFAULT_RATE
    ) -> None:
        """Configure; nothing listens until :meth:`start`."""
        self.upstream = upstream
        self.latency = latency
        self.window = SlidingWindow(rate)
        self.stats = ProxyStats()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The proxy's base URL."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LatencyProxy:
        """Serve in a daemon thread."""
        self._thread = threading.Thread(target=self._server.serve_forever, name="latency-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LatencyProxy:
        """Start."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop."""
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            upstream_connection: http.client.HTTPConnection | None = None

            def log_message(self, format: str, *args: object) -> None:
                """Stay quiet."""

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with proxy.stats.lock:
                    proxy.stats.received += 1
                if not proxy.window.admit():
                    with proxy.stats.lock:
                        proxy.stats.rate_limited += 1
                    time.sleep(proxy.latency)
                    self._answer(429, [("Content-Type", "application/json")], rate_limited_body())
                    return
                status, headers, answer = self._forward(body)
                with proxy.stats.lock:
                    proxy.stats.forwarded += 1
                time.sleep(proxy.latency)
                self._answer(status, headers, answer)

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
                for attempt in (1, 2):  # the upstream may have closed an idle keep-alive connection
                    if self.upstream_connection is None:
                        self.upstream_connection = http.client.HTTPConnection(*proxy.upstream, timeout=60)
                    try:
                        self.upstream_connection.request(self.command, self.path, body=body or None, headers=headers)
                        response = self.upstream_connection.getresponse()
                        answer = response.read()
                    except (ConnectionError, http.client.HTTPException):
                        self.upstream_connection.close()
                        self.upstream_connection = None
                        if attempt == 2:
                            raise
                        continue
                    kept = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
                    return response.status, kept, answer
                raise AssertionError("unreachable")

            def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if status == 429:
                    self.send_header("Request-Id", "req_" + secrets.token_hex(7))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _relay

        return Handler


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> None:
    """Serve a fresh reference server behind the proxy until stdin closes or SIGTERM; then print the stats."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.latency_proxy")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds added to every answer")
    parser.add_argument("--rate", type=int, default=DEFAULT_RATE, help="requests accepted per sliding second")
    options = parser.parse_args(argv)
    from conformance.reference import ReferenceServer

    signal.signal(signal.SIGTERM, _stop)
    with (
        ReferenceServer() as server,
        LatencyProxy((server.host, server.port), latency=options.latency, rate=options.rate) as proxy,
    ):
        print(f"PROXY {proxy.url}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            sys.stdin.read()
        print(f"STATS {json.dumps(proxy.stats.as_dict())}", flush=True)


if __name__ == "__main__":
    main()
