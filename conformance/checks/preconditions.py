"""Preconditions: what a scenario needs from the target before it can check anything.

A scenario whose precondition cannot be met (after the documented alternatives were tried)
raises ``Blocked``: its cited requirements are reported ``blocked`` by that precondition, and the
precondition's failure is reported once, as the root cause. A route the target lacks (a
Stripe-shaped 404 for the path itself) raises ``Unsupported``: the requirements that need it
are reported ``unsupported``, not failed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from conformance.checks.failures import Failure
from conformance.http.exchange import Response
from conformance.http.redaction import redact_text


class Blocked(Exception):
    """A shared precondition failed: the scenario's requirements cannot be assessed.

    ``precondition`` is a stable id (``precondition.card-attach``), ``reason`` one sentence,
    ``evidence`` the redacted ``Failure.to_dict()`` of the last attempt (request, response, curl).
    """

    def __init__(self, precondition: str, reason: str, evidence: dict[str, Any] | None = None) -> None:
        """Name the precondition, why it failed, and the evidence of the last attempt."""
        # The reason may quote the target's own message, which can echo the key: redact it once, here.
        reason = redact_text(reason)
        super().__init__(f"blocked by {precondition}: {reason}")
        self.precondition = precondition
        self.reason = reason
        self.evidence = evidence


class Unsupported(Exception):
    """The target lacks a route or feature the scenario needs (seen, or not claimed by its profile)."""

    def __init__(self, feature: str, reason: str, evidence: dict[str, Any] | None = None) -> None:
        """Name the missing route or feature, why we think it is missing, and the evidence."""
        reason = redact_text(reason)
        super().__init__(f"unsupported: {feature}: {reason}")
        self.feature = feature
        self.reason = reason
        self.evidence = evidence


ROUTE_MISSING_PHRASES = ("unrecognized request url", "no matching path")
"""How Stripe (``Unrecognized request URL``) and stripe-mock-like fakes (``No matching path``) name a missing route."""

_ID_SEGMENT = re.compile(r"^[a-z]+_(?=[A-Za-z_]*[A-Z0-9])[A-Za-z0-9_]+$")
"""An object id (``cus_NhD8HD2bY8dP3V``, ``card_doesnotexist0042``), not a word such as ``verification_reports``."""


def route_missing(response: Response) -> bool:
    """Tell whether ``response`` says the *route* is unknown, as opposed to an object it names.

    That is a 405 (the route does not take this method, whatever the body), or a 404 carrying
    Stripe's error envelope, without the ``resource_missing`` code, whose message says the URL
    or path is not recognised. A 404 that is not Stripe-shaped is judged, not excused.
    """
    if response.status == 405:
        return True
    if response.status != 404:
        return False
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("code") == "resource_missing":
        return False
    message = str(error.get("message", "")).lower()
    return any(phrase in message for phrase in ROUTE_MISSING_PHRASES)


def route_template(method: str, url: str) -> str:
    """Return ``METHOD /v1/customers/{id}/sources``: the route of a request, object ids generalised."""
    path = urlsplit(url).path
    segments = ["{id}" if _ID_SEGMENT.match(segment) else segment for segment in path.split("/")]
    return f"{method.upper()} {'/'.join(segments)}"


def unsupported_route(response: Response, route: str | None = None) -> Unsupported:
    """Build the ``Unsupported`` a scenario raises when ``response`` shows its route (``METHOD /path``) is missing."""
    route = route or route_template(response.request.method, response.request.url)
    said = "the route does not take this method" if response.status == 405 else "the URL is not recognised"
    reason = f"The target does not serve {route}: it answered HTTP {response.status} saying {said}."
    evidence = Failure.from_exchange(f"route {route}", reason, response=response).to_dict()
    return Unsupported(f"route {route}", reason, evidence)


def blocked_by(precondition: str, reason: str, response: Response | None) -> Blocked:
    """Build the ``Blocked`` for ``precondition``, with the redacted evidence of ``response`` if any."""
    evidence = Failure.from_exchange(precondition, reason, response=response).to_dict() if response else None
    return Blocked(precondition, reason, evidence)


def answer_summary(response: Response) -> str:
    """Describe an answer in a sentence fragment: its status and, for an error, its message (redacted)."""
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        # One line, whatever the target's layout; a hostile target may echo the key in its message.
        message = redact_text(" ".join(str(error["message"]).split()))
        return f"HTTP {response.status} ({message[:120]})"
    if body is None:
        kind = response.header("Content-Type") or "no content type"
        return f"HTTP {response.status} with a body that is not JSON ({kind})"
    return f"HTTP {response.status}"


def require_made(response: Response, precondition: str, what: str) -> dict[str, Any]:
    """Return the object a setup call made, or raise ``Unsupported``/``Blocked`` with the evidence.

    ``what`` names the call as the start of a sentence (``Creating a customer``).
    """
    if route_missing(response):
        raise unsupported_route(response)
    data = response.json()
    if response.status != 200 or not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise blocked_by(precondition, f"{what} was refused with {answer_summary(response)}.", response)
    return data
