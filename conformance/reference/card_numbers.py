"""Facts derived from a card number: Luhn validity, brand and fingerprint."""

from __future__ import annotations

import hashlib

from .ids import ALPHANUMERIC

_BRAND_PREFIXES: tuple[tuple[str, tuple[range, ...]], ...] = (
    ("American Express", (range(34, 35), range(37, 38))),
    ("Diners Club", (range(300, 306), range(36, 37), range(38, 40))),
    ("JCB", (range(3528, 3590),)),
    ("Discover", (range(6011, 6012), range(644, 650), range(65, 66))),
    ("UnionPay", (range(62, 63), range(81, 82))),
    ("MasterCard", (range(51, 56), range(2221, 2721))),
    ("Visa", (range(4, 5),)),
)


def normalize_number(raw: str) -> str:
    """Drop the spaces and dashes people type inside card numbers."""
    return raw.replace(" ", "").replace("-", "")


def is_plausible_number(number: str) -> bool:
    """Tell whether ``number`` is 12 to 19 digits long."""
    return number.isascii() and number.isdigit() and 12 <= len(number) <= 19


def luhn_valid(number: str) -> bool:
    """Tell whether an all-digit ``number`` passes the Luhn checksum."""
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def brand_for_number(number: str) -> str:
    """Return the card brand Stripe reports for ``number``, or ``"Unknown"``."""
    for brand, prefixes in _BRAND_PREFIXES:
        for prefix_range in prefixes:
            width = len(str(prefix_range.start))
            if len(number) >= width and int(number[:width]) in prefix_range:
                return brand
    return "Unknown"


def fingerprint_for_number(number: str) -> str:
    """Return a stable 16-character fingerprint for ``number``."""
    digest = int.from_bytes(hashlib.sha256(f"card-fingerprint:{number}".encode()).digest())
    chars = []
    for _ in range(16):
        digest, index = divmod(digest, len(ALPHANUMERIC))
        chars.append(ALPHANUMERIC[index])
    return "".join(chars)
