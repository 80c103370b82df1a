"""Reproduce a request as a ``curl`` command line with the key taken from the environment."""

from __future__ import annotations

import shlex

from conformance.http.exchange import Request
from conformance.http.redaction import redact_request

_SKIPPED_HEADERS = frozenset({"authorization", "content-type", "user-agent", "accept", "content-length"})


def curl_command(request: Request) -> str:
    """Return a one-line ``curl`` that resends ``request``, secrets replaced by ``$STRIPE_API_KEY``."""
    scheme = (request.header("Authorization") or "").split(" ", 1)[0].lower()
    clean = redact_request(request)
    parts = ["curl", "-sS"]
    if clean.method != "GET":
        parts += ["-X", clean.method]
    parts.append(shlex.quote(clean.url))
    if scheme == "bearer":
        parts += ["-H", '"Authorization: Bearer $STRIPE_API_KEY"']
    elif scheme == "basic":
        parts += ["-u", '"$STRIPE_API_KEY:"']
    for name, value in clean.headers:
        if name.lower() not in _SKIPPED_HEADERS:
            parts += ["-H", shlex.quote(f"{name}: {value}")]
    if clean.body:
        parts += ["--data-raw", shlex.quote(clean.body.decode("utf-8", "replace"))]
    return " ".join(parts)
