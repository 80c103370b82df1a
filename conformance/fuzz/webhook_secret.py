"""A webhook endpoint's signing ``secret`` appears in the answer to create, and nowhere else."""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import WEBHOOK_SECRET
from conformance.http.exchange import Response

WEBHOOK_ENDPOINTS = "/v1/webhook_endpoints"


def webhook_secret(case: schemathesis.Case[Any], response: Response, observations: Observations) -> list[Failure]:
    """The signing secret is in the answer to create, and only there (counted on every webhook endpoint answer)."""
    if not case.path.startswith(WEBHOOK_ENDPOINTS) or response.status != 200:
        return []
    body = response.json()
    if not isinstance(body, dict):
        return []
    observations.saw(WEBHOOK_SECRET)
    items = body.get("data") if body.get("object") == "list" else [body]
    if case.method.upper() == "POST" and case.path == WEBHOOK_ENDPOINTS:
        if not (isinstance(body.get("secret"), str) and body["secret"]):
            return [_secret_failure("the answer to creating a webhook endpoint has no secret", response)]
        return []
    leaking = [item.get("id") for item in items or [] if isinstance(item, dict) and item.get("secret") is not None]
    if leaking and body.get("deleted") is not True:
        return [_secret_failure(f"the secret of {leaking} appears outside the answer to create", response)]
    return []


def _secret_failure(message: str, response: Response) -> Failure:
    # The body holds a secret: keep the evidence, but the message never repeats the value.
    return ValueMismatch.from_exchange(WEBHOOK_SECRET, message, response=response, json_path="$.secret")
