"""Random identifiers in Stripe's ``prefix_alnum`` style."""

from __future__ import annotations

import secrets
import string

ALPHANUMERIC = string.ascii_letters + string.digits


def random_id(prefix: str, length: int = 24) -> str:
    """Return ``<prefix>_`` followed by ``length`` random alphanumeric characters."""
    return f"{prefix}_{random_alnum(length)}"


def random_alnum(length: int, alphabet: str = ALPHANUMERIC) -> str:
    """Return ``length`` random characters drawn from ``alphabet``."""
    return "".join(secrets.choice(alphabet) for _ in range(length))


def invoice_prefix() -> str:
    """Return a random customer invoice prefix such as ``7FE1103A``."""
    return random_alnum(8, string.ascii_uppercase + string.digits)
