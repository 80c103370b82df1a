"""Stand-ins for Stripe's fixed test tokens on targets that do not know them.

Stripe test mode accepts fixed tokens such as ``tok_visa`` as a card source. Some fakes do not
(their profile says ``test_tokens = false``) but can create a token from a test card number
through ``POST /v1/tokens``. ``TokenMintingTransport`` wraps a transport so that a POST whose
``source`` field is a fixed test token is sent with a token minted from that token's test card
number instead; every other request, and any ``source`` it does not know, goes through as is.
The minting request itself is never shown to observers or written to evidence.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit, urlunsplit

from conformance.http.exchange import Request, Response
from conformance.http.transport import Transport


@dataclass(frozen=True, slots=True)
class TestCard:
    """A test card number as Stripe's testing documentation pairs it with a fixed token."""

    __test__ = False  # not a pytest test class, despite the name

    number: str
    cvc: str = "123"


TEST_CARDS: Mapping[str, TestCard] = {
    "tok_visa": TestCard("4242424242424242"),
    "tok_visa_debit": TestCard("4000056655665556"),
    "tok_mastercard": TestCard("5555555555554444"),
    "tok_mastercard_debit": TestCard("5200828282828210"),
    "tok_mastercard_prepaid": TestCard("5105105105105100"),
    "tok_amex": TestCard("378282246310005", cvc="1234"),
    "tok_discover": TestCard("6011111111111117"),
    "tok_diners": TestCard("3056930009020004"),
    "tok_jcb": TestCard("3566002020360505"),
    "tok_unionpay": TestCard("6200000000000005"),
    "tok_chargeDeclined": TestCard("4000000000000002"),
    "tok_chargeDeclinedInsufficientFunds": TestCard("4000000000009995"),
    "tok_chargeDeclinedExpiredCard": TestCard("4000000000000069"),
    "tok_chargeDeclinedIncorrectCvc": TestCard("4000000000000127"),
    "tok_chargeCustomerFail": TestCard("4000000000000341"),
}
"""Fixed test token -> the test card number Stripe's testing docs give for it."""

_SOURCE_FIELD = re.compile(rb"((?:^|&)source=)(tok_[A-Za-z0-9_]+)(&|$)")
_FORWARDED_HEADERS = ("authorization", "stripe-version", "stripe-account", "user-agent")


def mint_token(transport: Transport, base_url: str, headers: Mapping[str, str], fixed_token: str) -> str | None:
    """Create a token for ``fixed_token``'s test card through ``POST /v1/tokens``; None if refused."""
    card = TEST_CARDS.get(fixed_token)
    if card is None:
        return None
    expiry_year = datetime.date.today().year + 3
    body = urlencode(
        {
            "card[number]": card.number,
            "card[exp_month]": "12",
            "card[exp_year]": str(expiry_year),
            "card[cvc]": card.cvc,
        }
    ).encode()
    wanted = {k.lower(): v for k, v in headers.items() if k.lower() in _FORWARDED_HEADERS}
    request = Request(
        "POST",
        base_url.rstrip("/") + "/v1/tokens",
        (*wanted.items(), ("content-type", "application/x-www-form-urlencoded")),
        body,
    )
    response = transport.send(request)
    try:
        token = json.loads(response.body).get("id")
    except (ValueError, AttributeError):
        return None
    return token if response.status == 200 and isinstance(token, str) else None


class TokenMintingTransport:
    """A transport that swaps fixed test tokens in a POST's ``source`` field for minted ones."""

    def __init__(self, inner: Transport) -> None:
        """Wrap ``inner``; every request, minting ones included, goes through it."""
        self._inner = inner
        self._by_idempotency_key: dict[tuple[str, str], str] = {}

    def send(self, request: Request) -> Response:
        """Send ``request``, with a minted token in place of a fixed test token as its ``source``."""
        return self._inner.send(self._rewritten(request))

    def close(self) -> None:
        """Close the wrapped transport."""
        self._inner.close()

    def _rewritten(self, request: Request) -> Request:
        if request.method != "POST":
            return request
        match = _SOURCE_FIELD.search(request.body)
        fixed = match.group(2).decode() if match else None
        if fixed is None or fixed not in TEST_CARDS:
            return request
        # A retry with the same idempotency key must carry the same body: reuse that key's token.
        replay = (request.header("Idempotency-Key") or "", fixed)
        minted = self._by_idempotency_key.get(replay) if replay[0] else None
        if minted is None:
            parts = urlsplit(request.url)
            base_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
            minted = mint_token(self._inner, base_url, dict(request.headers), fixed)
            if minted is not None and replay[0]:
                self._by_idempotency_key[replay] = minted
        if minted is None:
            return request  # let the target answer the fixed token itself: that answer is the evidence
        body = _SOURCE_FIELD.sub(lambda m: m.group(1) + minted.encode() + m.group(3), request.body, count=1)
        headers = tuple((k, v) for k, v in request.headers if k.lower() != "content-length")
        return Request(request.method, request.url, headers, body)
