"""Generated cases on the wire: Stripe's form encoding, sending through the suite's client.

Schemathesis generates a case; the suite sends it. Sending through :class:`StripeClient`
keeps one transport seam for the whole run (auth, the pinned ``Stripe-Version``, idempotency
keys, response observers and recording all apply to generated calls as they do to the
hand-written scenarios).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
import schemathesis
from schemathesis.core import NotSet

from conformance.http import StripeClient
from conformance.http.exchange import Response
from conformance.http.formencode import encode_form

FORM = "application/x-www-form-urlencoded"


def form_body(body: Any) -> bytes | None:
    """Encode a generated body in Stripe's bracket notation; ``None`` when there is no body.

    Empty strings and empty containers are kept (``key=``): Stripe reads them as "unset".
    A body that is not a hash (negative cases may make it one) is sent as its text.
    """
    if isinstance(body, NotSet):
        return None
    if isinstance(body, Mapping):
        return encode_form(body).encode("utf-8")
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def register_form_serializer() -> None:
    """Make Schemathesis encode form bodies as Stripe clients do (re-registering is harmless).

    The serializer receives a value Schemathesis already flattened for its own encoding, so it
    encodes the case's original body instead. Schemathesis uses it for its ``curl`` samples and
    for checks that resend a request.
    """

    @schemathesis.serializer(FORM)
    def stripe_form(ctx: schemathesis.SerializationContext, value: Any) -> bytes | None:
        return form_body(ctx.case.body)


def send_case(client: StripeClient, case: schemathesis.Case[Any]) -> Response:
    """Send ``case`` to the client's target and return the suite's response record."""
    body = form_body(case.body)
    headers = {str(k): str(v) for k, v in (case.headers or {}).items()}
    if body is not None:
        headers["Content-Type"] = FORM
    query = dict(case.query) if isinstance(case.query, Mapping) else None
    return client.request(
        case.method.upper(),
        case.formatted_path,
        params=query,
        headers=headers,
        raw_body=body,
    )


def to_schemathesis(response: Response) -> schemathesis.Response:
    """Wrap the suite's response so Schemathesis' checks can judge it."""
    sent = response.request
    prepared = requests.Request(
        method=sent.method,
        url=sent.url,
        headers=dict(sent.headers),
        data=sent.body or None,
    ).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    return schemathesis.Response(
        status_code=response.status,
        headers=headers,
        content=response.body,
        request=prepared,
        elapsed=response.elapsed,
        verify=True,
        encoding="utf-8",
    )
