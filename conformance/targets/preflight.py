"""Preflight: prove the target is reachable, Stripe-like and accepts the key before the suite runs."""

from __future__ import annotations

import dataclasses
import time

from conformance.http.client import StripeClient
from conformance.http.exchange import Response
from conformance.http.redaction import one_line
from conformance.http.retry import RateLimitedError
from conformance.http.stack import TransportSettings, build_transport
from conformance.http.transport import TransportError
from conformance.targets.config import TargetConfig

PREFLIGHT_BUDGET_SECONDS = 25.0


class PreflightError(RuntimeError):
    """The target cannot be used (exit code 3): unreachable, not Stripe-like, or rejects the key.

    Its message is one redacted line, whatever the target put in its answer.
    """

    def __init__(self, message: str) -> None:
        """Keep ``message`` as one redacted line."""
        super().__init__(one_line(message, limit=600))


PROBE_CUSTOMER = "cus_stripeconformancepreflight"
"""A customer id no target has: retrieving it is a read inside every surface the suite tests."""


def preflight(
    config: TargetConfig, *, budget: float = PREFLIGHT_BUDGET_SECONDS, settings: TransportSettings | None = None
) -> None:
    """Judge reachability, the key and Stripe-likeness; raise ``PreflightError`` only when one of them fails.

    The first read lists customers; a target that lacks that route (any Stripe error envelope
    other than 401) is asked for an unknown customer instead, a route of the surface under test:
    a Stripe 404 envelope or a customer there is a usable target whose missing routes the run
    reports as unsupported. The reads go through the run's transport ``settings`` (timeout,
    retries, rate limit), the timeout capped at 10 s and the retries stopped after ``budget`` seconds.
    """
    client = probe_client(config, budget=budget, settings=settings)
    where = config.display_url
    try:
        listed = _answer(client, where, "/v1/customers", {"limit": 1})
        _judge_json(listed, where, "GET /v1/customers")
        _judge_key(listed, where, "GET /v1/customers")
        if listed.status == 200 and _is_object(listed.json(), "list"):
            return
        if not _is_error_envelope(listed.json()):
            raise PreflightError(
                f"target {where} does not look like a Stripe API: GET /v1/customers?limit=1 gave HTTP "
                f"{listed.status} with {listed.header('Content-Type') or 'no content type'}"
            )
        retrieved = _answer(client, where, f"/v1/customers/{PROBE_CUSTOMER}", None)
    finally:
        client.close()
    _judge_json(retrieved, where, "GET /v1/customers/{id}")
    _judge_key(retrieved, where, "GET /v1/customers/{id}")
    body = retrieved.json()
    if _is_error_envelope(body) or (retrieved.status == 200 and _is_object(body, "customer")):
        return
    raise PreflightError(
        f"target {where} does not look like a Stripe API: GET /v1/customers?limit=1 gave HTTP {listed.status} "
        f"and GET /v1/customers/{{id}} gave HTTP {retrieved.status} with "
        f"{retrieved.header('Content-Type') or 'no content type'}"
    )


def probe_client(
    config: TargetConfig, *, budget: float = PREFLIGHT_BUDGET_SECONDS, settings: TransportSettings | None = None
) -> StripeClient:
    """A client for probes before the run: the run's transport settings, capped to ``budget`` seconds."""
    deadline = time.monotonic() + budget
    settings = settings or TransportSettings()
    transport = build_transport(
        config.base_url,
        dataclasses.replace(
            settings,
            timeout=min(10.0, budget, settings.timeout),
            connect_timeout=min(5.0, budget, settings.connect_timeout),
            deadline=deadline,
        ),
    )
    return StripeClient(config.base_url, config.api_key, stripe_version=config.stripe_version, transport=transport)


def _judge_json(response: Response, where: str, route: str) -> None:
    problem = response.json_problem()
    if problem:
        raise PreflightError(
            f"target {where} answered {route} with HTTP {response.status} and a body that is {problem}: "
            "not a Stripe answer"
        )


def _judge_key(response: Response, where: str, route: str) -> None:
    if response.status == 401:
        raise PreflightError(f"target {where} rejects the API key (HTTP 401 to {route})")


def _is_object(body: object, kind: str) -> bool:
    return isinstance(body, dict) and body.get("object") == kind


def _is_error_envelope(body: object) -> bool:
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


def _answer(client: StripeClient, where: str, path: str, params: dict[str, object] | None) -> Response:
    """One probe; the transport has already retried what is worth retrying, within the budget."""
    try:
        return client.get(path, params)
    except RateLimitedError as exc:
        raise PreflightError(f"target {where} is rate-limiting this client: {exc}") from None
    except TransportError as exc:
        raise PreflightError(f"cannot reach target {where}: {exc}") from None
