"""A client-side rate limiter, so a run stays under the target's request budget instead of meeting 429s.

Stripe limits test-mode traffic to 25 requests per second per account; the default for remote
targets stays below that. Loopback targets (the reference server, a local mock) are not limited.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from conformance.http.exchange import Request, Response
from conformance.http.retry import RATE_LIMITED, RetryPolicy, retry_after
from conformance.http.transport import Transport

DEFAULT_REMOTE_RATE = 24.0
"""Requests per second for non-loopback targets unless configured: just under the 25 Stripe's test mode allows.

Evenly spaced, 24 a second never put more than 25 requests in any sliding second of benchmark 8's
proxy, which answers ``429`` beyond Stripe's limit (``benchmarks/RESULTS.md``, session 8: no ``429``
in any run); at 25, with four processes in flight, runs met one each (session 5). Other traffic on
the same account still meets the slow-down below: every ``429`` lowers the rate of the whole run.
"""
DEFAULT_CONCURRENCY = 3
"""Scenarios in flight at once when a run is rate-limited and ``--concurrency`` is not given.

Benchmark 8 (50 ms per answer, 20 requests per second): one process sends one request at a time,
each costing the latency plus the suite's own time, so two processes reached about 17 per second
and three the limiter's 20 (45 s against 50 s once the state machine was split into parts; 89 s
against 129 s for two against one before). The limiter, shared by the processes, keeps the rate.
Scenarios assert only about objects they made, so other processes are just other senders on the
account (tests/hostile/test_shared_account.py); benchmarks/RESULTS.md, session 6, has the runs.
"""

SLOW_DOWN = 0.8
"""On every ``429`` the run's rate is multiplied by this, for every process that shares the limiter."""
LOWEST_SHARE = 0.5
"""The rate never falls below this share of the configured rate, however many ``429`` come."""

_SLOT = struct.Struct("=dd")
"""The shared file: the next free instant, then the current rate (0: the configured rate, untouched)."""
_MOST_DEFERRED = RetryPolicy().max_retry_after
"""Longest pause of the whole limiter for one ``Retry-After`` (a longer one ends its request's retries)."""


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


class Limiter(Protocol):
    """What a rate-limited transport needs: a slot per request, and a pause when the target says so."""

    rate: float

    def acquire(self) -> float:
        """Wait for the next free slot and return how long this call waited."""
        ...

    def defer(self, seconds: float) -> None:
        """Give no slot for the next ``seconds`` (the target asked every sender to wait)."""
        ...

    def slow_down(self) -> float:
        """Lower the rate after a ``429`` (``SLOW_DOWN``, floor ``LOWEST_SHARE``); return the new rate."""
        ...


class _SlotLimiter:
    """The slot arithmetic of a limiter, once: where the next free slot and the rate live is the subclass's.

    ``_advance(update)`` reads (next slot, rate) under the subclass's lock, calls ``update(now, next,
    rate)`` and stores the (next, rate) it returns; ``acquire``, ``defer`` and ``slow_down`` are each one
    such update.
    """

    def __init__(self, rate: float, clock: Callable[[], float], sleep: Callable[[float], None]) -> None:
        """Allow ``rate`` (> 0) calls per second."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self._configured = rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def _advance(self, update: Callable[[float, float, float], tuple[float, float, float]]) -> float:
        """Apply ``update(now, next slot, rate)`` -> (result, next slot, rate) atomically; return the result."""
        raise NotImplementedError

    def acquire(self) -> float:
        """Wait for the next free slot and return how long this call waited."""

        def take(now: float, next_slot: float, rate: float) -> tuple[float, float, float]:
            slot = max(now, next_slot)
            return slot - now, slot + 1.0 / rate, rate

        wait = self._advance(take)
        if wait > 0:
            self._sleep(wait)
        return wait

    def defer(self, seconds: float) -> None:
        """Give no slot for the next ``seconds``."""
        self._advance(lambda now, next_slot, rate: (0.0, max(next_slot, now + seconds), rate))

    def slow_down(self) -> float:
        """Lower the rate after a ``429`` (never below ``LOWEST_SHARE`` of the configured one); return it."""

        def lower(now: float, next_slot: float, rate: float) -> tuple[float, float, float]:
            lowered = max(self._configured * LOWEST_SHARE, rate * SLOW_DOWN)
            return lowered, next_slot, lowered

        return self._advance(lower)


class RateLimiter(_SlotLimiter):
    """Space calls evenly at ``rate`` per second across every thread that shares this limiter."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Allow ``rate`` (> 0) calls per second."""
        super().__init__(rate, clock, sleep)
        self._next_slot = 0.0

    def _advance(self, update: Callable[[float, float, float], tuple[float, float, float]]) -> float:
        """Under the thread lock: the slot and rate live in this object."""
        with self._lock:
            result, self._next_slot, self.rate = update(self._clock(), self._next_slot, self.rate)
        return result


class SharedRateLimiter(_SlotLimiter):
    """A ``RateLimiter`` whose next free slot lives in a file, so that every process of a run shares one rate.

    The file holds the next free slot and the current rate (lowered by ``slow_down``). The slot is a
    ``time.monotonic()`` instant (the clock is system-wide on Linux, so processes
    compare it); ``fcntl.flock`` serialises the read-and-advance. The run's controller creates the
    file (``create``) and hands its path to its worker processes.
    """

    def __init__(
        self,
        rate: float,
        path: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Allow ``rate`` (> 0) calls per second among all users of ``path``."""
        super().__init__(rate, clock, sleep)  # the thread lock: flock is per open file, threads queue first
        self.path = path

    @staticmethod
    def create(directory: Path | None = None) -> Path:
        """Create an empty slot file (no slot taken yet) and return its path."""
        import tempfile

        fd, name = tempfile.mkstemp(prefix="stripe-conformance-rate-", dir=directory)
        os.close(fd)
        return Path(name)

    def _advance(self, update: Callable[[float, float, float], tuple[float, float, float]]) -> float:
        """Under the thread lock and the file lock: (next slot, rate) live in the file."""
        with self._lock, open(self.path, "r+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                raw = handle.read(_SLOT.size)
                next_slot, rate = _SLOT.unpack(raw) if len(raw) == _SLOT.size else (0.0, 0.0)
                result, next_slot, rate = update(self._clock(), next_slot, rate or self._configured)
                handle.seek(0)
                handle.write(_SLOT.pack(next_slot, rate))
                handle.flush()
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        self.rate = rate
        return result


class RateLimitedTransport:
    """Wrap a transport so that every request, retries included, first takes a limiter slot.

    Every ``429`` lowers the limiter's rate (``SLOW_DOWN``, down to ``LOWEST_SHARE`` of it), and one
    carrying ``Retry-After`` also pauses the whole limiter for that long: the target's limit is per
    account, so every sender of the run slows down and waits, not only the one that met it. A ``429``
    without ``Retry-After`` still lowers the rate: the retry's own backoff holds back only its sender.
    """

    def __init__(self, inner: Transport, limiter: Limiter) -> None:
        """Send through ``inner`` no faster than ``limiter`` allows."""
        self.inner = inner
        self.limiter = limiter

    def send(self, request: Request) -> Response:
        """Wait for a slot, then send; a ``429`` lowers the rate (and pauses it for its ``Retry-After``)."""
        self.limiter.acquire()
        response = self.inner.send(request)
        if response.status == RATE_LIMITED:
            self.limiter.slow_down()
            asked = retry_after(response)
            if asked:
                self.limiter.defer(min(asked, _MOST_DEFERRED))
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
