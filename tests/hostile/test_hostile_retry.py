"""Retries as Stripe documents them: only safe requests, backoff with jitter, Retry-After, bounded."""

import threading
import time

import pytest
from dropping_proxy import DroppingProxy

from conformance.http import (
    RateLimitedError,
    Request,
    Response,
    RetryingTransport,
    RetryPolicy,
    StripeClient,
    TransportError,
    Urllib3Transport,
)
from conformance.http.retry import is_safe_to_resend, retry_after, should_retry
from conformance.reference import ReferenceServer

KEY = "sk_test_retry12345"


class Scripted:
    """A transport that answers from a script: an int is a status, an exception is raised."""

    def __init__(self, *script, headers=()):
        self.script = list(script)
        self.headers = tuple(headers)
        self.sent: list[Request] = []

    def send(self, request):
        self.sent.append(request)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        status, headers = step if isinstance(step, tuple) else (step, self.headers)
        return Response(status, tuple(headers), b"{}", request)

    def close(self):
        pass


def retrying(inner, policy=None, **kwargs):
    waits = []
    transport = RetryingTransport(inner, policy or RetryPolicy(), sleep=waits.append, jitter=lambda: 0.5, **kwargs)
    return transport, waits


GET = Request("GET", "http://127.0.0.1:9/v1/customers")
KEYED_POST = Request("POST", "http://127.0.0.1:9/v1/customers", (("Idempotency-Key", "k1"),), b"a=1")
BARE_POST = Request("POST", "http://127.0.0.1:9/v1/customers", (), b"a=1")


def test_connection_error_on_a_get_is_retried_until_an_answer():
    inner = Scripted(TransportError("reset", GET), TransportError("reset", GET), 200)
    transport, waits = retrying(inner)
    assert transport.send(GET).status == 200
    assert len(inner.sent) == 3 and len(waits) == 2


def test_retries_are_bounded_and_say_how_many_attempts():
    inner = Scripted(*[TransportError("timed out", GET)] * 5)
    transport, _ = retrying(inner, RetryPolicy(max_retries=2))
    with pytest.raises(TransportError, match=r"timed out \(after 3 attempts\)"):
        transport.send(GET)
    assert len(inner.sent) == 3


def test_post_without_idempotency_key_is_never_resent():
    inner = Scripted(TransportError("reset", BARE_POST), 200)
    transport, _ = retrying(inner)
    with pytest.raises(TransportError):
        transport.send(BARE_POST)
    assert len(inner.sent) == 1
    assert not is_safe_to_resend(BARE_POST) and is_safe_to_resend(KEYED_POST)


@pytest.mark.parametrize("status", [409, 429, 500, 502, 503])
def test_transient_statuses_are_retried_for_keyed_posts(status):
    inner = Scripted(status, 200)
    transport, _ = retrying(inner)
    assert transport.send(KEYED_POST).status == 200
    assert [r.header("Idempotency-Key") for r in inner.sent] == ["k1", "k1"]  # same key: one effect


@pytest.mark.parametrize("status", [200, 400, 401, 402, 404])
def test_definite_answers_are_not_retried(status):
    inner = Scripted(status, 200)
    transport, _ = retrying(inner)
    assert transport.send(KEYED_POST).status == status
    assert len(inner.sent) == 1


def test_stripe_should_retry_header_decides_first():
    no = Response(500, (("Stripe-Should-Retry", "false"),), b"", GET)
    yes = Response(400, (("Stripe-Should-Retry", "true"),), b"", GET)
    assert not should_retry(no) and should_retry(yes)
    inner = Scripted((500, (("Stripe-Should-Retry", "false"),)), 200)
    transport, _ = retrying(inner)
    assert transport.send(GET).status == 500 and len(inner.sent) == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    policy = RetryPolicy(initial_delay=0.5, max_delay=4.0)
    assert [policy.backoff(n, 1.0) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    assert policy.backoff(3, 0.0) == 1.0  # jitter takes up to half of the wait off
    lows = {round(policy.backoff(2, j / 10), 3) for j in range(10)}
    assert len(lows) == 10 and min(lows) >= 0.5 and max(lows) < 1.0


def test_retry_after_is_honoured_when_longer_than_the_backoff():
    inner = Scripted((429, (("Retry-After", "3"),)), 200)
    transport, waits = retrying(inner)
    assert transport.send(GET).status == 200
    assert waits == [3.0]
    assert retry_after(Response(429, (("Retry-After", "soon"),), b"", GET)) is None


def test_persistent_429_raises_rate_limited_with_the_evidence():
    inner = Scripted(*[(429, (("Retry-After", "1"),))] * 3)
    transport, waits = retrying(inner, RetryPolicy(max_retries=2))
    with pytest.raises(RateLimitedError, match="HTTP 429, after 3 attempts") as caught:
        transport.send(GET)
    assert caught.value.response.status == 429 and waits == [1.0, 1.0]


def test_retry_after_beyond_the_policy_gives_up_at_once():
    inner = Scripted((429, (("Retry-After", "3600"),)), 200)
    transport, waits = retrying(inner, RetryPolicy(max_retry_after=30))
    with pytest.raises(RateLimitedError, match="retry after 3600 s"):
        transport.send(GET)
    assert waits == [] and len(inner.sent) == 1


def test_nothing_is_retried_after_the_run_deadline():
    inner = Scripted(503, 200)
    transport, _ = retrying(inner, deadline=10.0, clock=lambda: 11.0)
    assert transport.send(GET).status == 503 and len(inner.sent) == 1


def test_every_post_carries_an_idempotency_key_even_without_a_key_source():
    inner = Scripted(200, 200)
    client = StripeClient("http://127.0.0.1:9", KEY, transport=inner)
    client.post("/v1/customers", {"a": "1"})
    client.post("/v1/customers", {"a": "1"})
    keys = [r.header("Idempotency-Key") for r in inner.sent]
    assert all(keys) and keys[0] != keys[1]


def _card_count(server, customer_id):
    client = StripeClient(server.url, KEY)
    body = client.get(f"/v1/customers/{customer_id}/sources", {"limit": 100}).json()
    return len(body["data"])


@pytest.fixture
def committing_then_dropping():
    """The reference server behind a proxy that drops the answer to the first card creation."""
    state = {"dropped": 0}

    def drop(seen, number):
        if seen.method == "POST" and seen.path.endswith("/sources") and state["dropped"] == 0:
            state["dropped"] += 1
            return True
        return False

    with ReferenceServer() as server, DroppingProxy(server.url, drop) as proxy:
        customer = StripeClient(server.url, KEY).post("/v1/customers", {}).json()["id"]
        yield server, proxy, customer


def test_retried_post_after_a_dropped_answer_creates_exactly_one_card(committing_then_dropping):
    server, proxy, customer = committing_then_dropping
    transport = RetryingTransport(Urllib3Transport(timeout=5), RetryPolicy(initial_delay=0.01))
    client = StripeClient(proxy.url, KEY, transport=transport)
    response = client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
    assert response.status == 200 and response.header("Idempotent-Replayed") == "true"
    assert len(proxy.dropped) == 1 and _card_count(server, customer) == 1


def test_without_retries_the_dropped_answer_is_a_transport_failure(committing_then_dropping):
    server, proxy, customer = committing_then_dropping
    client = StripeClient(proxy.url, KEY, transport=Urllib3Transport(timeout=5))
    with pytest.raises(TransportError):
        client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
    assert _card_count(server, customer) == 1  # the target did act: the answer was lost


def test_a_resend_under_a_fresh_key_would_have_created_a_second_card(committing_then_dropping):
    """Why the key matters: a naive retry (new key per attempt) double-creates on this target."""
    server, proxy, customer = committing_then_dropping
    client = StripeClient(proxy.url, KEY, transport=Urllib3Transport(timeout=5))
    with pytest.raises(TransportError):
        client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
    client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})  # fresh random key
    assert _card_count(server, customer) == 2


def test_retry_after_is_waited_for_over_the_wire():
    from hostile_server import HostileServer

    with HostileServer("rate_limited", "all") as server:
        transport = RetryingTransport(Urllib3Transport(timeout=5), RetryPolicy(max_retries=1, initial_delay=0.01))
        started = time.monotonic()
        with pytest.raises(RateLimitedError):
            transport.send(Request("GET", server.url + "/v1/customers"))
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 3.0 and len(server.seen) == 2


@pytest.mark.parametrize("behaviour", ["hang", "slow_headers", "trickle_headers", "trickle_body"])
def test_one_request_never_outlives_its_timeout(behaviour):
    """The timeout bounds the whole request, even when bytes keep arriving one at a time."""
    from hostile_server import HostileServer

    outcome = []

    def attempt(url):
        started = time.monotonic()
        try:
            Urllib3Transport(timeout=0.5).send(Request("GET", url + "/v1/customers"))
            outcome.append(("answered", time.monotonic() - started))
        except TransportError as exc:
            outcome.append((str(exc), time.monotonic() - started))

    with HostileServer(behaviour, "all") as server:
        worker = threading.Thread(target=attempt, args=(server.url,), daemon=True)
        worker.start()
        worker.join(5)  # without a whole-request deadline this would wait for the trickle to end (minutes)
    assert not worker.is_alive(), f"{behaviour}: the request was still running after 5 s"
    assert outcome[0][0] == "timed out" and outcome[0][1] < 1.5
