"""Stripe-aware invalid data: one value Stripe documents as invalid, put into a valid request.

Schemathesis' negative mode mutates whatever the schema constrains, and much of it is
rejected for another reason first (a random token, a random id). An injection starts from a
*valid* generated request and breaks exactly one documented rule, with values drawn from the
whole invalid range (an expiry year anywhere in the past, a metadata key of 41 to 80
characters, a page size of 0 or above 100), so a server that accepts it, or crashes on it, is
caught. The request must be refused with a 4xx error envelope that names the parameter.
"""

from __future__ import annotations

import datetime
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

KEY_ALPHABET = string.ascii_letters + string.digits + "_-."
CARD_NUMBER = "4242424242424242"
"""Stripe's Visa test card number."""
TOO_DEEP_CARD_EXPANSIONS = (
    "customer.default_source.customer.default_source.customer",
    "customer.default_source.customer.default_source.customer.default_source",
)
"""Expansion paths of a card one and two levels deeper than the four Stripe allows (docs.stripe.com/expand)."""

Values = Callable[[datetime.date], st.SearchStrategy[Any]]

METADATA_OPERATIONS = frozenset(
    {
        "PostCustomers",
        "PostCustomersCustomer",
        "PostCustomersCustomerSources",
        "PostCustomersCustomerCards",
        "PostCustomersCustomerSourcesId",
        "PostCustomersCustomerCardsId",
        "PostWebhookEndpoints",
        "PostWebhookEndpointsWebhookEndpoint",
    }
)
CARD_UPDATE_OPERATIONS = frozenset({"PostCustomersCustomerSourcesId", "PostCustomersCustomerCardsId"})
CARD_CREATE_OPERATIONS = frozenset({"PostCustomersCustomerSources", "PostCustomersCustomerCards"})
CUSTOMER_WRITE_OPERATIONS = frozenset({"PostCustomers", "PostCustomersCustomer"})
LIST_OPERATIONS = frozenset(
    {
        "GetCustomers",
        "GetCustomersCustomerSources",
        "GetCustomersCustomerCards",
        "GetIdentityVerificationReports",
        "GetCryptoOnrampSessions",
        "GetClimateOrders",
        "GetClimateProducts",
        "GetClimateSuppliers",
        "GetForwardingRequests",
        "GetWebhookEndpoints",
    }
)
CURSOR_OPERATIONS = frozenset({"GetCustomersCustomerSources", "GetCustomersCustomerCards", "GetWebhookEndpoints"})
WEBHOOK_WRITE_OPERATIONS = frozenset({"PostWebhookEndpoints", "PostWebhookEndpointsWebhookEndpoint"})
BODY_OPERATIONS = METADATA_OPERATIONS


@dataclass(frozen=True)
class Injection:
    """One documented rule, the requests it applies to and the invalid values that break it."""

    name: str
    location: str
    """``body`` or ``query``."""
    field: str | None
    """The parameter the value goes to; ``None`` when the value is a hash of extra parameters."""
    operations: frozenset[str]
    values: Values
    blamed: tuple[str, ...]
    """Parameters the error may name; empty when Stripe's answer need not name one."""
    rule: str
    excludes: tuple[str, ...] = ()
    """Parameters removed from the request first (they would break another rule)."""

    def applies_to(self, operation_id: str) -> bool:
        """Tell whether this injection fits the operation."""
        return operation_id in self.operations

    def blamed_for(self, value: Any) -> tuple[str, ...]:
        """Return the parameters an error may name for ``value`` (for a hash of extra ones: any, unless told)."""
        if self.field is None and isinstance(value, dict) and not self.blamed:
            return tuple(value)
        return self.blamed


def _long_keys(_: datetime.date) -> st.SearchStrategy[Any]:
    return st.text(KEY_ALPHABET, min_size=41, max_size=80).map(lambda key: {key: "value"})


def _long_values(_: datetime.date) -> st.SearchStrategy[Any]:
    return st.integers(501, 1200).map(lambda size: {"note": "x" * size})


def _many_keys(_: datetime.date) -> st.SearchStrategy[Any]:
    return st.integers(51, 80).map(lambda count: {f"k{index}": "v" for index in range(count)})


def _past_years(today: datetime.date) -> st.SearchStrategy[int]:
    return st.integers(1900, today.year - 1)


def _bad_months(_: datetime.date) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(13, 99), st.integers(-99, 0))


def _card_with(today: datetime.date, **bad: st.SearchStrategy[int]) -> st.SearchStrategy[Any]:
    good = {"exp_month": st.just(today.month), "exp_year": st.just(today.year + 2)}
    return st.fixed_dictionaries(
        {"number": st.just(CARD_NUMBER), "cvc": st.just("123"), **good, **bad}
    )


def _too_deep_expansions(_: datetime.date) -> st.SearchStrategy[Any]:
    # Every segment is expandable from a card (card -> customer -> default_source -> ...): only the
    # depth breaks the rule. The name sent alongside makes a partial apply observable.
    return st.sampled_from(TOO_DEEP_CARD_EXPANSIONS).map(
        lambda path: {"name": "stripe-conformance refused update", "expand": [path]}
    )


def _bad_limits(_: datetime.date) -> st.SearchStrategy[int]:
    return st.one_of(st.integers(101, 10_000), st.integers(-1000, 0))


def _unknown_ids(_: datetime.date) -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits, min_size=12, max_size=24).map(lambda tail: f"card_{tail}")


def _unknown_tokens(_: datetime.date) -> st.SearchStrategy[str]:
    return st.text(string.ascii_lowercase + string.digits, min_size=6, max_size=20).map(lambda tail: f"tok_zz{tail}")


def _bad_emails(_: datetime.date) -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + ".-_ ", min_size=1, max_size=30).filter(lambda s: s.strip())


def _long_text(low: int, high: int) -> Values:
    return lambda _: st.integers(low, high).map(lambda size: "n" * size)


def _unknown_names(_: datetime.date) -> st.SearchStrategy[Any]:
    return st.text(string.ascii_lowercase, min_size=4, max_size=12).map(lambda word: {f"zz_{word}": "1"})


def _bad_urls(_: datetime.date) -> st.SearchStrategy[str]:
    return st.sampled_from(["example.com/hook", "ftp://example.com/hook", "https://", "not a url", "//example.com"])


def _bad_events(_: datetime.date) -> st.SearchStrategy[Any]:
    return st.text(string.ascii_lowercase, min_size=3, max_size=12).map(lambda word: [f"zz_{word}.happened"])


INJECTIONS: tuple[Injection, ...] = (
    Injection("metadata-key-too-long", "body", "metadata", METADATA_OPERATIONS, _long_keys, ("metadata",),
              "metadata keys are at most 40 characters"),
    Injection("metadata-value-too-long", "body", "metadata", METADATA_OPERATIONS, _long_values, ("metadata",),
              "metadata values are at most 500 characters"),
    Injection("metadata-too-many-keys", "body", "metadata", METADATA_OPERATIONS, _many_keys, ("metadata",),
              "metadata holds at most 50 keys"),
    Injection("card-update-past-year", "body", "exp_year", CARD_UPDATE_OPERATIONS, _past_years,
              ("exp_year", "exp_month"), "a card's expiry year cannot be in the past"),
    Injection("card-update-bad-month", "body", "exp_month", CARD_UPDATE_OPERATIONS, _bad_months,
              ("exp_month",), "a card's expiry month is 1 to 12"),
    Injection("card-past-year", "body", "source", CARD_CREATE_OPERATIONS,
              lambda today: _card_with(today, exp_year=_past_years(today)), (),
              "raw card details with an expiry year in the past are refused"),
    # A refusal that may come late (after the fields were applied, as the expansion is done when
    # answering): the name sent alongside must not stick (fuzz.refused-changes-nothing).
    Injection("card-update-expand-too-deep", "body", None, CARD_UPDATE_OPERATIONS, _too_deep_expansions,
              ("expand",), "an expansion is at most four levels deep"),
    Injection("card-bad-month", "body", "source", CARD_CREATE_OPERATIONS,
              lambda today: _card_with(today, exp_month=_bad_months(today)), (),
              "raw card details with an expiry month outside 1 to 12 are refused"),
    Injection("unknown-token", "body", "source", CARD_CREATE_OPERATIONS | {"PostCustomers"}, _unknown_tokens,
              ("source",), "a source token must exist"),
    # Which parameter Stripe blames here is not documented: stripe-stateful-mock, whose errors copy
    # Stripe's, names "source" (docs/peers/stripe-stateful-mock/features.txt); either is accepted.
    Injection("unknown-default-source", "body", "default_source", frozenset({"PostCustomersCustomer"}), _unknown_ids,
              ("default_source", "source"), "default_source must name one of the customer's sources"),
    Injection("limit-out-of-range", "query", "limit", LIST_OPERATIONS, _bad_limits, ("limit",),
              "a page size is 1 to 100"),
    Injection("unknown-cursor", "query", "starting_after", CURSOR_OPERATIONS, _unknown_ids, ("starting_after",),
              "a cursor must name an object of the list", excludes=("ending_before",)),
    Injection("invalid-email", "body", "email", CUSTOMER_WRITE_OPERATIONS, _bad_emails, ("email",),
              "a customer's email must be an email address"),
    Injection("name-too-long", "body", "name", CUSTOMER_WRITE_OPERATIONS, _long_text(257, 600), ("name",),
              "a customer's name is at most 256 characters"),
    Injection("phone-too-long", "body", "phone", CUSTOMER_WRITE_OPERATIONS, _long_text(21, 60), ("phone",),
              "a customer's phone is at most 20 characters"),
    Injection("unknown-body-parameter", "body", None, BODY_OPERATIONS, _unknown_names, (),
              "a parameter the endpoint does not document is refused"),
    Injection("unknown-query-parameter", "query", None, LIST_OPERATIONS, _unknown_names, (),
              "a parameter the endpoint does not document is refused"),
    Injection("invalid-webhook-url", "body", "url", WEBHOOK_WRITE_OPERATIONS, _bad_urls, ("url",),
              "a webhook endpoint's url must be an absolute http(s) URL"),
    Injection("unknown-event-type", "body", "enabled_events", WEBHOOK_WRITE_OPERATIONS, _bad_events,
              ("enabled_events",), "enabled_events must name known event types"),
)
"""Every injection, in a fixed order (part of what makes a seed reproduce a run)."""


def injections_for(operation_id: str) -> tuple[Injection, ...]:
    """Return the injections that fit ``operation_id``."""
    return tuple(injection for injection in INJECTIONS if injection.applies_to(operation_id))
