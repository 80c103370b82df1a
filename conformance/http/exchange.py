"""Immutable records of one HTTP request and the response it got."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from conformance.http import bounded_json


@dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request as the suite sent it (headers may hold secrets until redacted)."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    @property
    def path(self) -> str:
        """The path part of the URL, query included."""
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def header(self, name: str) -> str | None:
        """Return the first header named ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready view of the request."""
        return {
            "method": self.method,
            "url": self.url,
            "headers": dict(self.headers),
            "body": self.body.decode("utf-8", "replace"),
        }


@dataclass(frozen=True, slots=True)
class Response:
    """An HTTP response with its request attached, for evidence."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    request: Request
    elapsed: float = 0.0
    _json: list[Any] = field(default_factory=list, repr=False, compare=False)

    def header(self, name: str) -> str | None:
        """Return the first header named ``name`` (case-insensitive), or None."""
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8 (undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """Return the decoded JSON body, or None when the body is not JSON (or nests too deep to read)."""
        if not self._json:
            try:
                self._json[:] = [bounded_json.loads(self.body), None]
            except bounded_json.JSONTooDeepError as exc:
                self._json[:] = [None, str(exc)]
            except ValueError:
                self._json[:] = [None, None]
        return self._json[0]

    def json_problem(self) -> str | None:
        """Why a JSON-looking body was not read (``"JSON nested deeper than N levels"``), or None."""
        self.json()
        problem = self._json[1]
        return str(problem) if problem else None

    def cut(self, max_bytes: int) -> Response:
        """Return this response with the body cut at ``max_bytes`` (for evidence: redacting a huge body is slow)."""
        if len(self.body) <= max_bytes:
            return self
        more = len(self.body) - max_bytes
        body = self.body[:max_bytes] + f"... [{more} more bytes]".encode()
        return Response(self.status, self.headers, body, self.request, self.elapsed)

    def to_dict(self, *, max_body: int = 20_000) -> dict[str, Any]:
        """Return a JSON-ready view of the response, the body cut at ``max_body`` characters."""
        text = self.text
        if len(text) > max_body:
            text = text[:max_body] + f"... [{len(text) - max_body} more characters]"
        return {"status": self.status, "headers": dict(self.headers), "body": text}
