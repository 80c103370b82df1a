"""Retries as Stripe's client libraries do them: only when safe, with backoff, jitter and ``Retry-After``.

A request is *safe to resend* when it cannot act twice: ``GET``, ``HEAD`` and ``DELETE`` are
idempotent by definition, and a ``POST`` is safe only when it carries an ``Idempotency-Key`` (the
target replays the first result for a resent key instead of acting again). Unsafe requests are
never resent.

A safe request is resent after a connection-level failure (refused, reset, cut off, timed out) and
after an answer the target marks as transient: ``409`` (a concurrent request holds the same
idempotency key or object), ``429`` (rate limited) and ``5xx``. The ``Stripe-Should-Retry``
header overrides that judgement either way.
Waits grow exponentially with random jitter; a ``Retry-After`` longer than the computed wait is
honoured, and one longer than the policy allows ends the retries at once.

When the target is still rate limiting after the last attempt, ``RateLimitedError`` is raised: a
``429`` says nothing about conformance, so callers report it as infrastructure noise, not as a failed
requirement.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from conformance.http.exchange import Request, Response
from conformance.http.transport import Transport, TransportError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE"})
TRANSIENT_STATUSES = frozenset({409, 429})
RATE_LIMITED = 429


class RateLimitedError(TransportError):
    """The target kept answering ``429`` (or asked for a wait longer than allowed): no verdict possible."""

    def __init__(self, message: str, request: Request, response: Response) -> None:
        """Keep the last ``429`` response as evidence."""
        super().__init__(message, request)
        self.response = response


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry; ``max_retries=0`` turns retries off."""

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0

    def backoff(self, retry: int, jitter: float) -> float:
        """Return the wait before retry number ``retry`` (1-based); ``jitter`` is uniform in [0, 1)."""
        ceiling = min(self.initial_delay * 2.0 ** (retry - 1), self.max_delay)
        return max(self.initial_delay / 2, ceiling * (0.5 + jitter / 2))


NO_RETRIES = RetryPolicy(max_retries=0)


def is_safe_to_resend(request: Request) -> bool:
    """True when resending ``request`` cannot make the target act twice."""
    if request.method.upper() in SAFE_METHODS:
        return True
    return request.method.upper() == "POST" and bool(request.header("Idempotency-Key"))


def should_retry(response: Response) -> bool:
    """True when ``response`` marks a transient condition (``Stripe-Should-Retry`` decides first)."""
    advice = (response.header("Stripe-Should-Retry") or "").strip().lower()
    if advice in ("true", "false"):
        return advice == "true"
    return response.status in TRANSIENT_STATUSES or response.status >= 500


def retry_after(response: Response) -> float | None:
    """Return the ``Retry-After`` delay in seconds (delta-seconds form), or None when absent or unusable."""
    value = (response.header("Retry-After") or "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class RetryingTransport:
    """Wrap a transport and resend safe requests that met a transient failure."""

    def __init__(
        self,
        inner: Transport,
        policy: RetryPolicy = RetryPolicy(),
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Retry through ``inner``; after ``deadline`` (a ``clock()`` instant) nothing is retried."""
        self.inner = inner
        self.policy = policy
        self._deadline = deadline
        self._sleep = sleep
        self._jitter = jitter
        self._clock = clock

    def send(self, request: Request) -> Response:
        """Send ``request``, retrying while the policy and the request's safety allow."""
        retry = 0
        while True:
            retry += 1
            try:
                response = self.inner.send(request)
            except TransportError as exc:
                if not self._may_retry(request, retry):
                    if retry > 1:
                        raise TransportError(f"{exc} (after {retry} attempts)", request) from None
                    raise
                self._sleep(self.policy.backoff(retry, self._jitter()))
                continue
            if not should_retry(response):
                return response
            wait = self.policy.backoff(retry, self._jitter())
            asked = retry_after(response)
            if asked is not None and asked > self.policy.max_retry_after:
                return self._give_up(response, f"asks to retry after {asked:g} s")
            if not self._may_retry(request, retry):
                return self._give_up(response, f"after {retry} attempt{'s' if retry > 1 else ''}")
            self._sleep(max(wait, asked or 0.0))

    def _may_retry(self, request: Request, retry: int) -> bool:
        if retry > self.policy.max_retries or not is_safe_to_resend(request):
            return False
        return self._deadline is None or self._clock() < self._deadline

    def _give_up(self, response: Response, why: str) -> Response:
        if response.status == RATE_LIMITED:
            raise RateLimitedError(
                f"target rate-limited {response.request.method} {response.request.path} (HTTP 429, {why})",
                response.request,
                response,
            )
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()

