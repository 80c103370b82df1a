"""Extra request headers a run sends with every request (``-H/--header NAME:VALUE``).

Schemathesis users know the option; here it carries what a target needs beyond the key, such as
``Stripe-Account`` for a connected account or a gateway's own token. Headers the suite sets itself
(the key, the API version, idempotency keys, the body's type and length, the host) cannot be
replaced this way: each has its own option or is part of what is being checked. Values of
headers whose name says they hold a credential are redacted like the key (``redaction``): by
name wherever headers are shown, and as registered secrets wherever else they turn up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from conformance.http.exchange import Request, Response
from conformance.http.redaction import is_secret_header, register_secret
from conformance.http.transport import Transport

RESERVED_HEADERS = {
    "authorization": "the key comes from --api-key (STRIPE_API_KEY)",
    "stripe-version": "the API version comes from --stripe-version",
    "idempotency-key": "the suite sets idempotency keys itself (some scenarios check them)",
    "content-type": "the suite sets the body's type",
    "content-length": "the transport sets the body's length",
    "host": "the host comes from --target",
}
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # RFC 9110 field-name


class HeaderError(ValueError):
    """A ``NAME:VALUE`` header that cannot be sent (one line saying why)."""


def parse_header(spec: str) -> tuple[str, str]:
    """Return ``(name, value)`` from ``"NAME:VALUE"`` (spaces around the value dropped), or raise ``HeaderError``."""
    name, sep, value = spec.partition(":")
    name, value = name.strip(), value.strip()
    if not sep or not name:
        raise HeaderError(f"header {spec!r} is not NAME:VALUE")
    if not _TOKEN.match(name):
        raise HeaderError(f"header name {name!r} is not a valid HTTP field name")
    if any(char in value for char in "\r\n\0"):
        raise HeaderError(f"header {name} has a line break or NUL in its value")
    reason = RESERVED_HEADERS.get(name.lower())
    if reason is not None:
        raise HeaderError(f"header {name} cannot be set with --header: {reason}")
    return name, value


def parse_headers(specs: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """Parse each ``NAME:VALUE``; a name given twice is an error (which one would win is not obvious)."""
    headers = tuple(parse_header(spec) for spec in specs)
    seen: set[str] = set()
    for name, _ in headers:
        if name.lower() in seen:
            raise HeaderError(f"header {name} is given twice")
        seen.add(name.lower())
    return headers


class HeaderTransport:
    """Add the run's extra headers to every request that does not set them itself."""

    def __init__(self, inner: Transport, headers: tuple[tuple[str, str], ...]) -> None:
        """Send through ``inner`` with ``headers`` added; credential-like values become registered secrets.

        Registered (``redaction.register_secret``), such a value is redacted from every output of
        this process even where a target echoes it back in a body or a message.
        """
        self._inner = inner
        self._headers = headers
        for name, value in headers:
            if is_secret_header(name):
                register_secret(value)

    def send(self, request: Request) -> Response:
        """Send ``request`` with the extra headers it lacks (the response's request shows them, redacted later)."""
        present = {name.lower() for name, _ in request.headers}
        extra = tuple((name, value) for name, value in self._headers if name.lower() not in present)
        if extra:
            request = Request(request.method, request.url, (*request.headers, *extra), request.body)
        return self._inner.send(request)

    def close(self) -> None:
        """Release the inner transport's connections."""
        self._inner.close()
