"""The transport a run uses: urllib3 with timeouts, under a rate limiter, under retries."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from conformance.http.headers import HeaderTransport
from conformance.http.ratelimit import Limiter, RateLimitedTransport, RateLimiter, default_rate
from conformance.http.retry import RetryingTransport, RetryPolicy
from conformance.http.transport import Transport, Urllib3Transport

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_RETRIES = 2


@dataclass(frozen=True, slots=True)
class TransportSettings:
    """How a run talks to its target.

    ``rate`` is requests per second: ``None`` picks the default for the target (unlimited on
    loopback, below Stripe's test-mode limit elsewhere) and ``0`` turns the limiter off.
    ``deadline`` is a ``time.monotonic()`` instant after which failed requests are not retried.
    """

    timeout: float = DEFAULT_TIMEOUT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    rate: float | None = None
    deadline: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    """Extra headers sent with every request (``-H/--header``; ``conformance.http.headers``)."""

    def effective_rate(self, base_url: str, *, share: int = 1) -> float | None:
        """Requests per second for ``base_url`` when ``share`` processes split the budget (None: no limit)."""
        rate = default_rate(base_url) if self.rate is None else self.rate
        if not rate:
            return None
        return rate / max(1, share)


def build_transport(
    base_url: str,
    settings: TransportSettings = TransportSettings(),
    *,
    share: int = 1,
    inner: Transport | None = None,
    limiter: Callable[[float], Limiter] | None = None,
) -> Transport:
    """Return the retrying, rate-limited transport for ``base_url``; ``share`` processes split the rate.

    ``inner`` replaces the urllib3 transport at the bottom of the stack (a cassette replay answers there).
    ``limiter`` builds the limiter from the rate instead of a limiter of this process alone (processes
    that share one limiter pass ``share=1``: the shared limiter holds the whole rate).
    """
    transport: Transport = inner if inner is not None else Urllib3Transport(
        timeout=settings.timeout, connect_timeout=min(settings.connect_timeout, settings.timeout)
    )
    rate = settings.effective_rate(base_url, share=share)
    if rate is not None:
        transport = RateLimitedTransport(transport, (limiter or RateLimiter)(rate))
    transport = RetryingTransport(transport, RetryPolicy(max_retries=settings.retries), deadline=settings.deadline)
    return HeaderTransport(transport, settings.headers) if settings.headers else transport
