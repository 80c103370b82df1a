"""The shared setup preconditions: a customer can be made, and a test card can be attached to it.

Stripe's docs offer several ways to give a customer a test card: a fixed test token
(``source=tok_visa``, https://docs.stripe.com/testing#cards), the raw test card details as a
card hash (2023-08-16 spec, ``POST /v1/customers/{customer}/sources``: ``source`` is a token id
or a card dictionary), or a token created first with ``POST /v1/tokens``
(https://docs.stripe.com/api/tokens/create_card). Fakes support different subsets of them.

``CardPaths`` finds, once per session, the first path the target accepts, on a throw-away
customer, and remembers which one worked and what each attempt got (the report's ``setup``
section). When none works, every scenario that needs a card is blocked by one root cause
(``Blocked``) carrying the evidence; when the target lacks the attach route itself it is
``Unsupported``. ``CardSourceTransport`` then sends every fixed test token a scenario names as a
``source`` through the path that worked, so the scenarios are written once, with test tokens.
"""

from __future__ import annotations

import contextlib
import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from conformance.checks.preconditions import (
    Blocked,
    Unsupported,
    answer_summary,
    blocked_by,
    route_missing,
    unsupported_route,
)
from conformance.http.client import StripeClient
from conformance.http.exchange import Request, Response
from conformance.http.formencode import encode_form
from conformance.http.transport import Transport, TransportError

CARD_PATHS: Mapping[str, str] = {
    "test-token": "a fixed test token as the source (source=tok_visa)",
    "raw-card": "the raw test card details as the source (source[object]=card, source[number]=...)",
    "tokens-api": "a token made from the test card details with POST /v1/tokens, then attached",
}
"""Every card-creation path, in the order they are tried, with what each sends."""

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
"""Fixed test token -> the test card number Stripe's testing docs give for it (https://docs.stripe.com/testing#cards)."""

PATH_FEATURES: Mapping[str, str] = {"test-token": "test_tokens", "tokens-api": "tokens_api"}
"""The profile feature a path needs (a path not listed needs none)."""

CUSTOMER_PRECONDITION = "precondition.customer-create"
CARD_PRECONDITION = "precondition.card-attach"
PROBE_TOKEN = "tok_visa"

_SOURCE_FIELD = re.compile(rb"((?:^|&)source=)(tok_[A-Za-z0-9_]+)(&|$)")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try of a card-creation path during the probe."""

    path: str
    accepted: bool
    answer: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready form."""
        return {"path": self.path, "accepted": self.accepted, "answer": self.answer}


class CardPaths:
    """Find and remember the card-creation path this target accepts (once per session)."""

    def __init__(
        self,
        client: StripeClient,
        *,
        paths: Sequence[str] = tuple(CARD_PATHS),
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Probe through ``client`` (unobserved), trying ``paths`` in order; tag probe customers with ``metadata``."""
        unknown = [p for p in paths if p not in CARD_PATHS]
        if unknown:
            raise ValueError(f"unknown card path(s) {unknown}; known: {', '.join(CARD_PATHS)}")
        self._client = client
        self._paths = tuple(paths)
        self._metadata = dict(metadata or {})
        self.chosen: str | None = None
        self.attempts: list[Attempt] = []
        self.problem: Blocked | Unsupported | None = None
        self.probed = False
        self._resolved = False

    @property
    def resolved(self) -> bool:
        """Tell whether the probe has run."""
        return self._resolved

    def resolve(self) -> str:
        """Return the path that works, probing on first use; raise ``Blocked``/``Unsupported`` if none does."""
        if not self._resolved:
            self._resolved, self.probed = True, True
            try:
                self.chosen = self._probe()
            except (Blocked, Unsupported) as exc:
                self.problem = exc
            except TransportError as exc:
                # No usable answer says nothing about the paths: take the first, and let each
                # scenario meet (and report) the target's behaviour itself.
                self.chosen = self._paths[0] if self._paths else None
                self.attempts.append(Attempt(self.chosen or "", False, f"no usable answer: {exc}"))
        if self.problem is not None:
            raise self.problem
        assert self.chosen is not None
        return self.chosen

    def source(self, token: str = PROBE_TOKEN) -> Any:
        """Return the ``source`` value that gives ``token``'s test card through the resolved path."""
        return self._source_for(self.resolve(), token)

    def assume(self) -> None:
        """Take the first allowed path without probing (replays, and targets started inside the run)."""
        self._resolved, self.probed = True, False
        self.chosen = self._paths[0] if self._paths else None
        if self.chosen is None:
            self.problem = Blocked(CARD_PRECONDITION, "The target's profile allows no card-creation path.")

    def record(self) -> dict[str, Any]:
        """The report's account of card creation: the path used, the attempts, or the root cause."""
        data: dict[str, Any] = {
            "card_path": self.chosen,
            "card_path_description": CARD_PATHS.get(self.chosen or ""),
            "probed": self.probed,
            "tried": list(self._paths),
            "attempts": [attempt.to_dict() for attempt in self.attempts],
            "root_cause": None,
        }
        if self.problem is not None:
            data["root_cause"] = root_cause(self.problem)
        return data

    def restore(self, record: Mapping[str, Any]) -> None:
        """Take the outcome of a probe made elsewhere (the controller of an xdist run) from its ``record()``."""
        self._resolved, self.probed = True, bool(record.get("probed"))
        self.chosen = record.get("card_path")
        self.attempts = [Attempt(a["path"], a["accepted"], a["answer"]) for a in record.get("attempts", ())]
        cause = record.get("root_cause")
        if cause:
            kind = Unsupported if cause.get("kind") == "unsupported" else Blocked
            self.problem = kind(cause["id"], cause["reason"], cause.get("evidence"))

    def _probe(self) -> str:
        customer = self._create_customer()
        try:
            last: Response | None = None
            for path in self._paths:
                source, refused = self._try_source(path)
                if source is None:
                    assert refused is not None
                    self.attempts.append(Attempt(path, False, f"POST /v1/tokens: {answer_summary(refused)}"))
                    last = refused
                    continue
                answer = self._client.post(f"/v1/customers/{customer}/sources", {"source": source})
                if route_missing(answer):
                    raise unsupported_route(answer)
                body = answer.json()
                accepted = answer.status == 200 and isinstance(body, dict) and isinstance(body.get("id"), str)
                self.attempts.append(Attempt(path, accepted, answer_summary(answer)))
                if accepted:
                    return path
                last = answer
            tried = "; ".join(f"{a.path}: {a.answer}" for a in self.attempts) or "no path allowed"
            raise blocked_by(
                CARD_PRECONDITION,
                f"The target attached no test card by any card-creation path ({tried}).",
                last,
            )
        finally:
            self._delete(customer)

    def _create_customer(self) -> str:
        params = {"description": "stripe-conformance setup probe", "metadata": self._metadata}
        try:
            answer = self._client.post("/v1/customers", params)
        except TransportError as exc:
            raise Blocked(CUSTOMER_PRECONDITION, f"Creating a customer got no usable answer: {exc}.") from None
        if route_missing(answer):
            raise unsupported_route(answer)
        body = answer.json()
        if answer.status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
            raise blocked_by(
                CUSTOMER_PRECONDITION, f"Creating a customer was refused with {answer_summary(answer)}.", answer
            )
        return str(body["id"])

    def _delete(self, customer: str) -> None:
        # On failure a tagged customer is left; `stripe-conformance cleanup` sweeps it where listing works.
        with contextlib.suppress(TransportError):
            self._client.delete(f"/v1/customers/{customer}")

    def _try_source(self, path: str) -> tuple[Any, Response | None]:
        """The source to attach for the probe token, or None and the refusal when minting failed."""
        if path != "tokens-api":
            return self._source_for(path, PROBE_TOKEN), None
        answer = self._client.post("/v1/tokens", {"card": card_details(PROBE_TOKEN)})
        token = answer.json().get("id") if isinstance(answer.json(), dict) else None
        return (token, None) if answer.status == 200 and isinstance(token, str) else (None, answer)

    def _source_for(self, path: str, token: str) -> Any:
        if path == "test-token" or token not in TEST_CARDS:
            return token
        if path == "raw-card":
            return {"object": "card", **card_details(token)}
        answer = self._client.post("/v1/tokens", {"card": card_details(token)})
        minted = answer.json().get("id") if isinstance(answer.json(), dict) else None
        return minted if answer.status == 200 and isinstance(minted, str) else token


def root_cause(problem: Blocked | Unsupported) -> dict[str, Any]:
    """The ``TestOutcome.root_cause`` form of a precondition failure (``kind`` says which)."""
    if isinstance(problem, Unsupported):
        return {"id": problem.feature, "kind": "unsupported", "reason": problem.reason, "evidence": problem.evidence}
    return {"id": problem.precondition, "kind": "blocked", "reason": problem.reason, "evidence": problem.evidence}


def card_details(token: str) -> dict[str, str]:
    """The test card number Stripe's testing docs pair with ``token``, with a future expiry and a CVC."""
    card = TEST_CARDS[token]
    year = datetime.date.today().year + 3
    return {"number": card.number, "exp_month": "12", "exp_year": str(year), "cvc": card.cvc}


class CardSourceTransport:
    """A transport that sends a POST's fixed test token ``source`` through the card path that works.

    With the ``test-token`` path (or before/without a working path) requests go through as they
    are, so the target's own answer stays the evidence. The probe and any minting go through the
    wrapped transport and are never shown to observers.
    """

    def __init__(self, inner: Transport, paths: CardPaths) -> None:
        """Wrap ``inner``; ``paths`` must send through ``inner`` too (not through this wrapper)."""
        self._inner = inner
        self._paths = paths
        self._by_idempotency_key: dict[tuple[str, str], bytes] = {}

    def send(self, request: Request) -> Response:
        """Send ``request``, its fixed test token ``source`` replaced as the working path needs."""
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
        try:
            path = self._paths.resolve()
        except (Blocked, Unsupported):
            return request
        if path == "test-token":
            return request
        # A retry with the same idempotency key must carry the same body (one minted token per key).
        replay = (request.header("Idempotency-Key") or "", fixed)
        replacement = self._by_idempotency_key.get(replay) if replay[0] else None
        if replacement is None:
            replacement = encode_form({"source": self._paths.source(fixed)}).encode()
            if replay[0]:
                self._by_idempotency_key[replay] = replacement
        body = _SOURCE_FIELD.sub(
            lambda m: m.group(1).removesuffix(b"source=") + replacement + m.group(3), request.body, count=1
        )
        headers = tuple((k, v) for k, v in request.headers if k.lower() != "content-length")
        return Request(request.method, request.url, headers, body)
