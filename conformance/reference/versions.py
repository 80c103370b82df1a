"""Stripe API versions: parsing the ``Stripe-Version`` header and comparing dates."""

from __future__ import annotations

import datetime
import re

from .errors import ApiError, invalid_request

DEFAULT_VERSION = "2023-08-16"
"""The version answered when a request does not pin one."""

CUSTOMER_LISTS_UNEMBEDDED = "2020-08-27"
"""First version that stopped embedding ``sources`` (and other lists) in customers."""

_VERSION = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.[a-z]+)?")


def parse_version(header: str | None) -> str:
    """Return the requested API version, or the default when none was sent."""
    if header == DEFAULT_VERSION:
        return header
    if header is None or not header.strip():
        return DEFAULT_VERSION
    value = header.strip()
    match = _VERSION.fullmatch(value)
    if match is None or not _is_date(match.group(1)):
        raise invalid_version(value)
    return value


def invalid_version(value: str) -> ApiError:
    """Build the error for an unparseable ``Stripe-Version`` header."""
    shown = value if len(value) <= 40 else value[:40] + "..."
    return invalid_request(f"Invalid Stripe API version: {shown}", replayable=False)


def version_date(version: str) -> str:
    """Return the ``YYYY-MM-DD`` release date of a version string."""
    return version[:10]


def is_before(version: str, date: str) -> bool:
    """Tell whether ``version`` was released before ``date`` (``YYYY-MM-DD``)."""
    return version_date(version) < date


def _is_date(text: str) -> bool:
    """Tell whether ``YYYY-MM-DD`` names a real calendar day."""
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
