"""``--concurrency``: how many processes a run uses, and the one rate limiter they share.

Every process of a concurrent run takes its slots from one ``SharedRateLimiter`` (a file under a
lock): all of them together never exceed the rate, and a ``429`` with ``Retry-After`` pauses all.
"""

import itertools
import multiprocessing
import time
from pathlib import Path

import pytest

from conformance.cli.run_cmd import suite_arguments
from conformance.http import Request, Response
from conformance.http.ratelimit import (
    DEFAULT_CONCURRENCY,
    LOWEST_SHARE,
    SLOW_DOWN,
    RateLimitedTransport,
    RateLimiter,
    SharedRateLimiter,
)
from conformance.http.retry import RetryingTransport, RetryPolicy
from conformance.settings import RunSettings

RATE = 40.0
CALLS = 8


def _take_slots(path: str, queue: "multiprocessing.Queue[list[float]]") -> None:
    """Take CALLS slots; note each slot as the limiter computed it (its clock reading plus the wait)."""
    readings: list[float] = []

    def clock() -> float:
        readings.append(time.monotonic())
        return readings[-1]

    limiter = SharedRateLimiter(RATE, Path(path), clock=clock)
    queue.put([limiter.acquire() + readings[-1] for _ in range(CALLS)])


def test_processes_sharing_one_limiter_never_exceed_its_rate(tmp_path):
    path = SharedRateLimiter.create(tmp_path)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_take_slots, args=(str(path), queue)) for _ in range(3)]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    slots = sorted(t for _ in workers for t in queue.get(timeout=60))
    elapsed = time.monotonic() - started
    for worker in workers:
        worker.join(timeout=60)
    assert len(slots) == 3 * CALLS
    # whichever process takes a slot, slots are at least 1/RATE apart: never more than RATE in any second
    assert min(b - a for a, b in itertools.pairwise(slots)) >= 1 / RATE - 1e-9
    assert elapsed >= (3 * CALLS - 1) / RATE * 0.95  # the processes did wait for each other's slots


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("shared", [False, True], ids=["in-process", "shared"])
def test_limiter_spaces_slots_and_a_deferral_holds_every_sender(tmp_path, shared):
    clock = FakeClock()
    if shared:
        limiter = SharedRateLimiter(10, SharedRateLimiter.create(tmp_path), clock=clock, sleep=clock.sleep)
    else:
        limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    assert limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(0.1)
    limiter.defer(3.0)
    assert limiter.acquire() == pytest.approx(3.0)  # no slot for 3 s from the 429, whoever asks next
    assert limiter.acquire() == pytest.approx(0.1)


class Answers:
    """A transport answering 429 with ``Retry-After`` first, then 200; it notes when each request came."""

    def __init__(self, clock: FakeClock, retry_after: str) -> None:
        self.clock = clock
        self.retry_after = retry_after
        self.sent: list[float] = []

    def send(self, request: Request) -> Response:
        self.sent.append(self.clock.now)
        if len(self.sent) == 1:
            return Response(429, (("Retry-After", self.retry_after),), b"{}", request)
        return Response(200, (), b"{}", request)

    def close(self) -> None:
        pass


def test_retry_after_is_honoured_by_the_retry_and_by_the_shared_limiter(tmp_path):
    clock = FakeClock()
    answers = Answers(clock, "2")
    limiter = SharedRateLimiter(20, SharedRateLimiter.create(tmp_path), clock=clock, sleep=clock.sleep)
    transport = RetryingTransport(
        RateLimitedTransport(answers, limiter), RetryPolicy(max_retries=2, initial_delay=0.01),
        sleep=clock.sleep, jitter=lambda: 0.0, clock=clock,
    )
    response = transport.send(Request("GET", "http://example.test/v1/customers"))
    assert response.status == 200
    assert answers.sent[1] - answers.sent[0] >= 2.0  # resent only after the 2 s the target asked for
    other = RateLimitedTransport(answers, limiter)  # another process's sender, same limiter
    before = clock.now
    other.send(Request("GET", "http://example.test/v1/customers"))
    assert clock.now - before < 0.1  # the pause is over: the next sender waits one slot at most


@pytest.mark.parametrize("shared", [False, True], ids=["in-process", "shared"])
def test_every_429_lowers_the_rate_of_every_sender_down_to_a_floor(tmp_path, shared):
    clock = FakeClock()
    if shared:
        path = SharedRateLimiter.create(tmp_path)
        limiter = SharedRateLimiter(20, path, clock=clock, sleep=clock.sleep)
        other = SharedRateLimiter(20, path, clock=clock, sleep=clock.sleep)  # another process of the run
    else:
        limiter = other = RateLimiter(20, clock=clock, sleep=clock.sleep)
    answers = Answers(clock, "")  # a 429 without Retry-After, as Stripe may answer
    RateLimitedTransport(answers, limiter).send(Request("GET", "http://example.test/v1/customers"))
    assert limiter.rate == pytest.approx(20 * SLOW_DOWN)
    other.acquire()
    assert other.acquire() == pytest.approx(1 / (20 * SLOW_DOWN))  # the other sender slowed down too
    for _ in range(20):
        limiter.slow_down()
    assert limiter.rate == pytest.approx(20 * LOWEST_SHARE)
    other.acquire()
    assert other.acquire() == pytest.approx(1 / (20 * LOWEST_SHARE))


def test_a_huge_retry_after_pauses_the_limiter_at_most_the_retry_ceiling(tmp_path):
    clock = FakeClock()
    limiter = RateLimiter(20, clock=clock, sleep=clock.sleep)
    RateLimitedTransport(Answers(clock, "3600"), limiter).send(Request("GET", "http://example.test/v1/x"))
    assert limiter.acquire() <= RetryPolicy().max_retry_after


@pytest.mark.parametrize(
    ("settings", "base_url", "processes"),
    [
        (RunSettings(), None, 1),  # the built-in loopback server: not rate-limited
        (RunSettings(), "http://127.0.0.1:12111", 1),
        (RunSettings(), "https://api.stripe.com", DEFAULT_CONCURRENCY),
        (RunSettings(rate_limit=20), "http://127.0.0.1:12111", DEFAULT_CONCURRENCY),
        (RunSettings(rate_limit=0), "https://api.stripe.com", 1),
        (RunSettings(concurrency=1), "https://api.stripe.com", 1),
        (RunSettings(concurrency=3), None, 3),
        (RunSettings(concurrency=2, workers=5), None, 5),
        (RunSettings(replay=Path("cassettes")), "https://api.stripe.com", 1),
    ],
)
def test_processes_follow_concurrency_workers_and_whether_the_run_is_rate_limited(settings, base_url, processes):
    assert settings.processes(base_url) == processes
    args = suite_arguments(settings, base_url=base_url)
    if processes > 1:
        assert args[args.index("-n") + 1] == str(processes)
    else:
        assert "-n" not in args
