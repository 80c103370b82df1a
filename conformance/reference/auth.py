"""Extracting and masking API keys from the ``Authorization`` header."""

from __future__ import annotations

import base64
import binascii
import re

_KEY_PREFIX = re.compile(r"[a-z]{2,4}_(?:test|live)_")


def api_key_from_header(header: str | None) -> str | None:
    """Return the API key sent with Bearer or Basic auth, or ``None`` if there is none.

    A present but undecodable credential is returned as ``""`` so that it is
    reported as an invalid key rather than a missing one.
    """
    if header is None or not header.strip():
        return None
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() == "bearer":
        return credential
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return header.strip()


def mask_key(key: str) -> str:
    """Hide all but the prefix and last four characters of a key, as Stripe does."""
    match = _KEY_PREFIX.match(key)
    prefix = match.group(0) if match else ""
    rest = key[len(prefix) :]
    tail = rest[-4:] if len(rest) > 8 else ""
    return f"{prefix}****{_printable(tail)}"


def _printable(text: str) -> str:
    """Keep only printable ASCII characters of ``text``."""
    return "".join(char for char in text if char.isascii() and char.isprintable())
