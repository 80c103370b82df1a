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


def preflight(
    config: TargetConfig, *, budget: float = PREFLIGHT_BUDGET_SECONDS, settings: TransportSettings | None = None
) -> None:
    """Send one cheap authenticated read and judge the answer; raise ``PreflightError`` if unusable.

    The read goes through the run's transport ``settings`` (timeout, retries, rate limit), its
    timeout capped at 10 s and its retries stopped once ``budget`` seconds have passed.
    """
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
    client = StripeClient(
        config.base_url, config.api_key, stripe_version=config.stripe_version, transport=transport
    )
    where = config.display_url
    try:
        response = _first_answer(client, where)
    finally:
        client.close()
    body = response.json()
    if response.json_problem():
        raise PreflightError(
            f"target {where} answered GET /v1/customers with HTTP {response.status} and a body that is "
            f"{response.json_problem()}: not a Stripe answer"
        )
    if response.status == 401:
        raise PreflightError(f"target {where} rejects the API key (HTTP 401)")
    if response.status == 200 and isinstance(body, dict) and body.get("object") == "list":
        return
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = one_line(str(body["error"].get("message", "")), limit=120)
        raise PreflightError(f"target {where} answered HTTP {response.status} to GET /v1/customers: {message}")
    raise PreflightError(
        f"target {where} does not look like a Stripe API: GET /v1/customers?limit=1 gave HTTP "
        f"{response.status} with {response.header('Content-Type') or 'no content type'}"
    )


def _first_answer(client: StripeClient, where: str) -> Response:
    """The one probe; the transport has already retried what is worth retrying, within the budget."""
    try:
        return client.get("/v1/customers", {"limit": 1})
    except RateLimitedError as exc:
        raise PreflightError(f"target {where} is rate-limiting this client: {exc}") from None
    except TransportError as exc:
        raise PreflightError(f"cannot reach target {where}: {exc}") from None
