"""Typed conformance failures and the exception that carries them.

Hierarchy::

    AssertionError
    └── ConformanceError            raised by a check; holds one or more Failure records
    Failure                         evidence of one violated requirement
    ├── StatusMismatch              the HTTP status was not what the requirement says
    ├── ValueMismatch               a field held the wrong value (or was missing)
    ├── EnvelopeViolation           a 4xx/5xx body was not Stripe's error envelope, or the wrong error
    ├── SchemaViolation             a body did not validate against its object's schema
    └── TransportFailure            no usable HTTP response arrived
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from conformance.http.curl import curl_command
from conformance.http.exchange import Request, Response
from conformance.http.redaction import redact_request, redact_response, redact_text

EVIDENCE_BODY_BYTES = 64 * 1024
"""Evidence keeps at most this much of a body, cut before redaction so that a huge body stays cheap."""


@dataclass(frozen=True, kw_only=True)
class Failure:
    """Evidence that one requirement was violated: what, where, and how to reproduce it."""

    kind: ClassVar[str] = "failure"
    title: ClassVar[str] = "Requirement violated"

    requirement_id: str
    message: str
    json_path: str | None = None
    request: dict[str, Any] | None = None
    response: dict[str, Any] | None = None
    curl: str | None = None

    @classmethod
    def from_exchange(
        cls,
        requirement_id: str,
        message: str,
        *,
        response: Response | None = None,
        request: Request | None = None,
        json_path: str | None = None,
        **extra: Any,
    ) -> Failure:
        """Build a failure whose request/response evidence is redacted before it is stored."""
        request = request or (response.request if response is not None else None)
        return cls(
            requirement_id=requirement_id,
            message=redact_text(message),
            json_path=json_path,
            request=redact_request(request).to_dict() if request is not None else None,
            response=redact_response(response.cut(EVIDENCE_BODY_BYTES)).to_dict() if response is not None else None,
            curl=curl_command(request) if request is not None else None,
            **extra,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form used in reports."""
        return {
            "kind": self.kind,
            "title": self.title,
            "requirement_id": self.requirement_id,
            "message": self.message,
            "json_path": self.json_path,
            "request": self.request,
            "response": self.response,
            "curl": self.curl,
        }

    def __str__(self) -> str:
        """Return the one-line summary plus the reproduction."""
        where = f" at {self.json_path}" if self.json_path else ""
        lines = [f"[{self.requirement_id}] {self.message}{where}"]
        if self.curl:
            lines.append(f"  reproduce: {self.curl}")
        return "\n".join(lines)


@dataclass(frozen=True, kw_only=True)
class StatusMismatch(Failure):
    """The HTTP status differs from the one the requirement calls for."""

    kind: ClassVar[str] = "status_mismatch"
    title: ClassVar[str] = "Unexpected HTTP status"


@dataclass(frozen=True, kw_only=True)
class ValueMismatch(Failure):
    """A field in the body holds a value the requirement rules out."""

    kind: ClassVar[str] = "value_mismatch"
    title: ClassVar[str] = "Unexpected value"


@dataclass(frozen=True, kw_only=True)
class EnvelopeViolation(Failure):
    """An error response is not Stripe's error envelope, or carries the wrong type/code/param."""

    kind: ClassVar[str] = "envelope_violation"
    title: ClassVar[str] = "Wrong error response"


@dataclass(frozen=True, kw_only=True)
class SchemaViolation(Failure):
    """A body does not validate against the JSON Schema of its object."""

    kind: ClassVar[str] = "schema_violation"
    title: ClassVar[str] = "Schema violation"


@dataclass(frozen=True, kw_only=True)
class TransportFailure(Failure):
    """The target gave no usable HTTP response."""

    kind: ClassVar[str] = "transport_failure"
    title: ClassVar[str] = "No usable response"


class ConformanceError(AssertionError):
    """Raised by a check: carries every ``Failure`` it found."""

    def __init__(self, failures: list[Failure] | tuple[Failure, ...]) -> None:
        """Wrap ``failures`` (at least one)."""
        self.failures = tuple(failures)
        super().__init__("\n".join(str(f) for f in self.failures))
