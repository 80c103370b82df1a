"""Random identifiers in Stripe's ``prefix_alnum`` style."""

from __future__ import annotations

import secrets
import string

ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str, length: int = 24) -> str:
    """Return ``<prefix>_`` followed by ``length`` random alphanumeric characters."""
    return f"{prefix}_{random_alnum(length)}"


def random_alnum(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """Return ``length`` random characters drawn from ``alphabet`` (at most 256 characters).

    One ``token_bytes`` call instead of a ``secrets.choice`` (a system call) per character: every
    response carries a fresh request id, so this is on the hot path (benchmarks/RESULTS.md).
    """
    size = len(alphabet)
    limit = 256 - 256 % size  # bytes at or above this would favour the first characters: drop them
    chars: list[str] = []
    while len(chars) < length:
        chars.extend(alphabet[byte % size] for byte in secrets.token_bytes(length) if byte < limit)
    return "".join(chars[:length])


def invoice_prefix() -> str:
    """Return a random customer invoice prefix such as ``7FE1103A``."""
    return random_alnum(8, string.ascii_uppercase + string.digits)
