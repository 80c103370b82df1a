"""Fill a gap in vcrpy's replayed response so it reads like a urllib3 2.x response.

urllib3 2.x responses take ``read1(amt, decode_content=...)``; vcrpy 9.4's stub forwards every
argument to ``BytesIO.read1``, which takes no keywords. A replayed body is already decoded, so the
keyword is accepted and ignored.
"""

from __future__ import annotations

from typing import Any

from vcr.stubs import VCRHTTPResponse


def _read1(self: Any, amt: int | None = -1, decode_content: bool | None = None) -> bytes:
    data: bytes = self._content.read1(-1 if amt is None else amt)
    return data


def make_vcr_responses_urllib3_compatible() -> None:
    """Let vcrpy's replayed responses accept urllib3's ``decode_content`` keyword (idempotent)."""
    if VCRHTTPResponse.read1 is not _read1:
        VCRHTTPResponse.read1 = _read1
