"""Idempotent-request records: what a replay must reproduce and how requests are compared."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass

MAX_KEY_LENGTH = 255
"""Longest ``Idempotency-Key`` header accepted."""


@dataclass(frozen=True)
class IdempotentRequest:
    """The identity of a request sent with an ``Idempotency-Key``."""

    method: str
    path: str
    params_digest: str

    @property
    def endpoint(self) -> str:
        """Return ``METHOD /path`` for messages."""
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class StoredResponse:
    """The first response given to an idempotent request, replayed byte for byte."""

    request: IdempotentRequest
    status: int
    body: bytes
    request_id: str


def describe_request(method: str, path: str, params: Mapping[str, object]) -> IdempotentRequest:
    """Return the comparable identity of a request."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return IdempotentRequest(method.upper(), path, digest)
