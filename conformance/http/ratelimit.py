"""A client-side rate limiter, so a run stays under the target's request budget instead of meeting 429s.

Stripe limits test-mode traffic to 25 requests per second per account; the default for remote
targets stays below that. Loopback targets (the reference server, a local mock) are not limited.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from conformance.http.exchange import Request, Response
from conformance.http.transport import Transport

DEFAULT_REMOTE_RATE = 20.0
"""Requests per second for non-loopback targets unless configured (Stripe test mode allows 25)."""


def is_loopback(url: str) -> bool:
    """True when ``url`` points at this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def default_rate(url: str) -> float | None:
    """Return the default requests per second for a target: None (unlimited) on loopback."""
    return None if is_loopback(url) else DEFAULT_REMOTE_RATE


class RateLimiter:
    """Space calls evenly at ``rate`` per second across every thread that shares this limiter."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Allow ``rate`` (> 0) calls per second."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self) -> float:
        """Wait for the next free slot and return how long this call waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return wait


class RateLimitedTransport:
    """Wrap a transport so that every request, retries included, first takes a limiter slot."""

    def __init__(self, inner: Transport, limiter: RateLimiter) -> None:
        """Send through ``inner`` no faster than ``limiter`` allows."""
        self.inner = inner
        self.limiter = limiter

    def send(self, request: Request) -> Response:
        """Wait for a slot, then send."""
        self.limiter.acquire()
        return self.inner.send(request)

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
