"""vcrpy hooks that pass every recorded request and response through the project's redaction.

They run before an interaction is stored (and on each request before it is matched), so nothing
secret reaches a cassette. The redaction rules themselves live in ``conformance.http.redaction``.
"""

from __future__ import annotations

from typing import Any

from vcr.filters import decode_response
from vcr.request import Request as VcrRequest

from conformance.http.redaction import redact_body, redact_header, redact_url
from conformance.recording.seeds import stable_idempotency_key


def scrub_request(request: VcrRequest) -> VcrRequest:
    """Return a redacted copy of a vcrpy request (the live request is never modified)."""
    headers = {name: _stored_header(name, _first(value)) for name, value in request.headers.items()}
    content_type = _header(headers, "content-type")
    return VcrRequest(
        method=request.method,
        uri=redact_url(request.uri),
        body=redact_body(_bytes(request.body), content_type),
        headers=headers,
    )


def _stored_header(name: str, value: str) -> str:
    redacted = redact_header(name, value)
    return stable_idempotency_key(redacted) if name.lower() == "idempotency-key" else redacted


def scrub_response(response: dict[str, Any]) -> dict[str, Any]:
    """Redact a vcrpy response record (already a copy) and return it."""
    headers = response.get("headers") or {}
    if _header(headers, "content-encoding"):
        response = decode_response(response)
        headers = response.get("headers") or {}
    response["headers"] = {
        name: [redact_header(name, str(value)) for value in _values(values)] for name, values in headers.items()
    }
    body = response.get("body") or {}
    if isinstance(body.get("string"), bytes | str):
        content_type = _header(response["headers"], "content-type")
        body["string"] = redact_body(_bytes(body["string"]), content_type)
    return response


def content_type_of(headers: Any) -> str | None:
    """Return the Content-Type of a vcrpy header mapping (values may be lists), or None."""
    return _header(headers, "content-type")


def _header(headers: Any, name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return _first(value)
    return None


def _first(value: Any) -> str:
    if isinstance(value, list | tuple):
        return str(value[0]) if value else ""
    return str(value)


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    return b"".join(part if isinstance(part, bytes) else str(part).encode("utf-8") for part in body)
