"""Whether a card update leaves the card's expiry in the past: a refusal Stripe documents, whatever the schema says.

A card update may send ``exp_month`` without ``exp_year`` (or the other way round); the expiry it
asks for is then the sent field with the card's other one. The operations fuzz shares one card
between examples, and an earlier accepted update may have moved its year to the current one, so
a schema-valid month can name a month already past. Stripe refuses such an expiry (a ``card_error``,
``invalid_expiry_month``; https://docs.stripe.com/error-codes#invalid-expiry-month), so the refusal
says nothing against the target: the example is not judged as valid data, and a refusal of an
injected value may name the expiry instead of the injected field.
"""

from __future__ import annotations

import datetime
from typing import Any

__all__ = ["EXPIRY_FIELDS", "leaves_expiry_past"]

EXPIRY_FIELDS = ("exp_month", "exp_year")
"""The parameters an expiry refusal names."""


def leaves_expiry_past(sent: Any, card: Any, today: datetime.date) -> bool:
    """Tell whether an update sending ``sent`` to the card read as ``card`` asks for an expiry not after this month.

    The current month counts too: the target's clock and the suite's may stand either side of a
    month's end, and a current-month expiry that is refused or accepted breaks no rule either way.
    """
    if not isinstance(sent, dict) or not isinstance(card, dict) or card.get("object") != "card":
        return False
    if "exp_month" not in sent and "exp_year" not in sent:
        return False
    month = _number(sent.get("exp_month", card.get("exp_month")))
    year = _number(sent.get("exp_year", card.get("exp_year")))
    if month is None or year is None:
        return False
    if 0 <= year < 100:
        year += 2000  # a two-digit year, as Stripe reads it
    return (year, month) <= (today.year, today.month)


def _number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None
