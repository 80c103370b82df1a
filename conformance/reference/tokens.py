"""Stripe's reusable test-mode card tokens and the test card numbers behind them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class TestCard:
    """A test card number with the facts Stripe reports for it."""

    __test__ = False  # not a pytest test class

    number: str
    brand: str
    funding: str
    country: str = "US"


TEST_TOKENS: Mapping[str, TestCard] = MappingProxyType(
    {
        "tok_visa": TestCard("4242424242424242", "Visa", "credit"),
        "tok_visa_debit": TestCard("4000056655665556", "Visa", "debit"),
        "tok_mastercard": TestCard("5555555555554444", "MasterCard", "credit"),
        "tok_mastercard_debit": TestCard("5200828282828210", "MasterCard", "debit"),
        "tok_mastercard_prepaid": TestCard("5105105105105100", "MasterCard", "prepaid"),
        "tok_amex": TestCard("378282246310005", "American Express", "credit"),
        "tok_discover": TestCard("6011111111111117", "Discover", "credit"),
        "tok_diners": TestCard("3056930009020004", "Diners Club", "credit"),
        "tok_jcb": TestCard("3566002020360505", "JCB", "credit"),
        "tok_unionpay": TestCard("6200000000000005", "UnionPay", "credit"),
    }
)
"""Test tokens by name; they may be used any number of times."""

TEST_NUMBERS: Mapping[str, TestCard] = MappingProxyType({card.number: card for card in TEST_TOKENS.values()})
"""The same test cards keyed by card number."""
