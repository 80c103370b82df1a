"""The expiry a card update asks for: the sent month or year with the card's other one."""

import datetime

import pytest

from conformance.fuzz.expiry import leaves_expiry_past

TODAY = datetime.date(2026, 6, 15)
CARD = {"object": "card", "exp_month": 12, "exp_year": 2026}


@pytest.mark.parametrize(
    ("sent", "past"),
    [
        ({"exp_month": 5}, True),  # May 2026, before June
        ({"exp_month": 6}, True),  # this month: refused or not, no rule broken
        ({"exp_month": 7}, False),
        ({"exp_month": "3", "exp_year": 2027}, False),
        ({"exp_year": 2025}, True),
        ({"exp_year": "26", "exp_month": 1}, True),  # a two-digit year is 20xx
        ({"exp_year": 27}, False),
        ({"name": "x"}, False),  # no expiry sent
        ({"exp_month": "not a number"}, False),
        ({"exp_month": True}, False),
    ],
)
def test_the_sent_field_with_the_cards_other_one(sent: dict, past: bool) -> None:
    assert leaves_expiry_past(sent, CARD, TODAY) is past


def test_only_a_card_read_decides() -> None:
    assert not leaves_expiry_past({"exp_month": 1}, {"object": "customer"}, TODAY)
    assert not leaves_expiry_past({"exp_month": 1}, None, TODAY)
    assert not leaves_expiry_past("exp_month=1", CARD, TODAY)
