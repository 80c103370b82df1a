"""Preflight: prove the target is reachable, Stripe-like and accepts the key before the suite runs."""

from __future__ import annotations

import time

from conformance.http.client import StripeClient
from conformance.http.exchange import Response
from conformance.http.transport import TransportError, Urllib3Transport
from conformance.targets.config import TargetConfig

PREFLIGHT_BUDGET_SECONDS = 25.0


class PreflightError(RuntimeError):
    """The target cannot be used (exit code 3): unreachable, not Stripe-like, or rejects the key."""


def preflight(config: TargetConfig, *, budget: float = PREFLIGHT_BUDGET_SECONDS) -> None:
    """Send one cheap authenticated read and judge the answer; raise ``PreflightError`` if unusable."""
    deadline = time.monotonic() + budget
    transport = Urllib3Transport(timeout=min(10.0, budget), connect_timeout=min(5.0, budget))
    client = StripeClient(
        config.base_url, config.api_key, stripe_version=config.stripe_version, transport=transport
    )
    where = config.display_url
    try:
        response = _first_answer(client, deadline, where)
    finally:
        client.close()
    body = response.json()
    if response.status == 401:
        raise PreflightError(f"target {where} rejects the API key (HTTP 401)")
    if response.status == 200 and isinstance(body, dict) and body.get("object") == "list":
        return
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        message = str(body["error"].get("message", ""))[:120]
        raise PreflightError(f"target {where} answered HTTP {response.status} to GET /v1/customers: {message}")
    raise PreflightError(
        f"target {where} does not look like a Stripe API: GET /v1/customers?limit=1 gave HTTP "
        f"{response.status} with {response.header('Content-Type') or 'no content type'}"
    )


def _first_answer(client: StripeClient, deadline: float, where: str) -> Response:
    last_error = "no answer"
    while True:
        try:
            return client.get("/v1/customers", {"limit": 1})
        except TransportError as exc:
            last_error = str(exc)
            if "refused" in last_error or time.monotonic() + 1.0 > deadline:
                raise PreflightError(f"cannot reach target {where}: {last_error}") from None
            time.sleep(0.5)
