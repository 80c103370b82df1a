"""The client-side rate limiter: below Stripe's test-mode limit for remote targets, off on loopback."""

import threading
import time

import pytest

from conformance.http import RateLimiter, Request, Response, TransportSettings, build_transport
from conformance.http.ratelimit import DEFAULT_REMOTE_RATE, RateLimitedTransport, default_rate, is_loopback
from conformance.http.retry import RetryingTransport


@pytest.mark.parametrize(
    ("url", "loopback"),
    [
        ("http://127.0.0.1:12111", True),
        ("http://127.8.9.10", True),
        ("http://localhost:8080", True),
        ("http://[::1]:9000", True),
        ("https://api.stripe.com", False),
        ("http://10.0.0.5:12111", False),
        ("http://localhost.example.com", False),
    ],
)
def test_loopback_detection(url, loopback):
    assert is_loopback(url) is loopback
    assert default_rate(url) == (None if loopback else DEFAULT_REMOTE_RATE)


def test_default_remote_rate_is_below_stripes_test_mode_limit():
    assert 0 < DEFAULT_REMOTE_RATE < 25


def test_settings_resolve_rate_per_target_and_split_it_between_workers():
    assert TransportSettings().effective_rate("http://127.0.0.1:1") is None
    assert TransportSettings().effective_rate("https://api.stripe.com") == DEFAULT_REMOTE_RATE
    assert TransportSettings(rate=0).effective_rate("https://api.stripe.com") is None
    assert TransportSettings(rate=8).effective_rate("http://127.0.0.1:1") == 8
    assert TransportSettings(rate=20).effective_rate("https://api.stripe.com", share=4) == 5


def test_build_transport_limits_only_when_a_rate_applies():
    remote = build_transport("https://api.stripe.com")
    local = build_transport("http://127.0.0.1:1")
    assert isinstance(remote, RetryingTransport) and isinstance(remote.inner, RateLimitedTransport)
    assert isinstance(local, RetryingTransport) and not isinstance(local.inner, RateLimitedTransport)


def test_limiter_spaces_calls_evenly_with_a_fake_clock():
    now = [100.0]
    limiter = RateLimiter(10, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[0] == 0 and all(abs(w - 0.1) < 1e-9 for w in waits[1:])
    assert abs(now[0] - 100.4) < 1e-9


class Instant:
    def __init__(self):
        self.times = []
        self.lock = threading.Lock()

    def send(self, request):
        with self.lock:
            self.times.append(time.monotonic())
        return Response(200, (), b"{}", request)

    def close(self):
        pass


def test_limiter_holds_the_rate_across_threads():
    inner = Instant()
    transport = RateLimitedTransport(inner, RateLimiter(50))
    request = Request("GET", "http://example.test/v1/customers")
    threads = [threading.Thread(target=lambda: [transport.send(request) for _ in range(5)]) for _ in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    times = sorted(inner.times)
    assert len(times) == 20
    assert elapsed >= 19 / 50 * 0.95  # 20 calls at 50/s need at least 19 intervals, whatever the threads
    assert (len(times) - 1) / (times[-1] - times[0]) <= 50 * 1.1
