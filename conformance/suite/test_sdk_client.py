"""The card lifecycle driven through the official Python client (stripe-python) against the target.

The client's API base is the target's URL and its HTTP client is the session's transport, so
nothing leaves for any other host. These fail where a target breaks the official client (an
object it cannot parse, a list that never ends) even when raw HTTP checks look fine.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest
import stripe

from conformance.checks import Verifier
from conformance.http.transport import Transport
from conformance.suite.cite import requires
from conformance.suite.objects import RUN_TAG, CustomerFactory
from conformance.suite.sdk import TransportHTTPClient, sdk_client
from conformance.targets import TargetConfig

AddCard = Callable[..., dict[str, object]]
PAGING_SLACK = 5
"""How many items past the expected count auto-pagination may yield before it counts as endless."""


@pytest.fixture
def sdk_http(stripe_transport: Transport) -> TransportHTTPClient:
    """The SDK's HTTP client: the session's transport, keeping exchanges as evidence."""
    return TransportHTTPClient(stripe_transport)


@pytest.fixture
def sdk(stripe_target: TargetConfig, sdk_http: TransportHTTPClient) -> stripe.StripeClient:
    """A stripe-python client bound to the target and pinned to the run's API version."""
    return sdk_client(stripe_target, sdk_http)


@contextlib.contextmanager
def sdk_call(check: Verifier, http: TransportHTTPClient, what: str) -> Iterator[None]:
    """Turn an exception the client raises while ``what`` into a failed check with the exchange."""
    try:
        yield
    except stripe.StripeError as exc:
        message = " ".join(str(exc).split())[:200]
        check.that(False, f"expected {what} to succeed, the client raised {type(exc).__name__}: {message}", http.last)


@requires("client.sdk.customer")
def test_sdk_creates_and_reads_a_customer(
    sdk: stripe.StripeClient,
    sdk_http: TransportHTTPClient,
    customers: CustomerFactory,
    stripe_run_id: str,
    check: Verifier,
) -> None:
    with sdk_call(check, sdk_http, "creating a customer"):
        created = sdk.v1.customers.create(
            {"description": "stripe-conformance sdk", "metadata": {RUN_TAG: stripe_run_id}}
        )
    customers.created.append(created.id)  # removed with the scenario's other customers
    kind = type(created).__name__
    check.that(isinstance(created, stripe.Customer), f"expected a Customer, got {kind}", sdk_http.last)
    with sdk_call(check, sdk_http, "retrieving the customer"):
        again = sdk.v1.customers.retrieve(created.id)
    check.that(
        isinstance(again, stripe.Customer) and again.id == created.id,
        f"expected Customer {created.id}, got {type(again).__name__} {getattr(again, 'id', None)!r}",
        sdk_http.last,
    )


@requires("client.sdk.attach-card")
def test_sdk_attaches_a_card(
    sdk: stripe.StripeClient, sdk_http: TransportHTTPClient, customer: str, check: Verifier
) -> None:
    with sdk_call(check, sdk_http, "attaching tok_visa"):
        card = sdk.v1.customers.payment_sources.create(customer, {"source": "tok_visa"})
    check.that(isinstance(card, stripe.Card), f"expected a Card, got {type(card).__name__}", sdk_http.last)
    check.that(
        getattr(card, "customer", None) == customer,
        f"expected card.customer {customer!r}, got {getattr(card, 'customer', None)!r}",
        sdk_http.last,
    )
    with sdk_call(check, sdk_http, "retrieving the customer"):
        owner = sdk.v1.customers.retrieve(customer)
    check.that(
        owner.default_source == card.id,
        f"expected default_source {card.id!r}, got {owner.default_source!r}",
        sdk_http.last,
    )


@requires("client.sdk.update-card")
@pytest.mark.needs_feature("update_source")
def test_sdk_updates_a_card(
    sdk: stripe.StripeClient, sdk_http: TransportHTTPClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    card = add_card(customer)
    with sdk_call(check, sdk_http, "updating the card"):
        updated = sdk.v1.customers.payment_sources.update(
            customer, str(card["id"]), {"name": "Jenny Rosen", "exp_month": "3"}
        )
    check.that(isinstance(updated, stripe.Card), f"expected a Card, got {type(updated).__name__}", sdk_http.last)
    name, month = getattr(updated, "name", None), getattr(updated, "exp_month", None)
    check.that(
        name == "Jenny Rosen" and month == 3,
        f"expected name 'Jenny Rosen' and exp_month 3, got {name!r} and {month!r}",
        sdk_http.last,
    )


@requires("client.sdk.auto-paging")
@pytest.mark.needs_feature("list_sources")
def test_sdk_auto_paging_visits_every_card_once(
    sdk: stripe.StripeClient, sdk_http: TransportHTTPClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    attached = [str(add_card(customer, token)["id"]) for token in ("tok_visa", "tok_mastercard", "tok_visa")]
    seen: list[str] = []
    with sdk_call(check, sdk_http, "auto-paging through the cards"):
        pages = sdk.v1.customers.payment_sources.list(customer, {"object": "card", "limit": 1})
        for item in pages.auto_paging_iter():
            seen.append(item.id)
            if len(seen) > len(attached) + PAGING_SLACK:
                break  # a list that never ends must fail, not hang
    check.that(
        len(seen) <= len(attached) + PAGING_SLACK,
        f"expected auto-pagination to end after {len(attached)} cards, it was still going after {len(seen)}",
        sdk_http.last,
    )
    check.that(
        sorted(seen) == sorted(attached),
        f"expected each of {len(attached)} cards exactly once, got {len(seen)} items: {seen[:8]}",
        sdk_http.last,
    )


@requires("client.sdk.delete-card")
def test_sdk_deletes_the_default_card(
    sdk: stripe.StripeClient, sdk_http: TransportHTTPClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    first, second = add_card(customer), add_card(customer, "tok_mastercard")
    with sdk_call(check, sdk_http, "deleting the default card"):
        deleted = sdk.v1.customers.payment_sources.delete(customer, str(first["id"]))
    check.that(
        getattr(deleted, "deleted", None) is True and getattr(deleted, "id", None) == first["id"],
        f"expected a deleted object for {first['id']!r}, got {type(deleted).__name__} "
        f"id={getattr(deleted, 'id', None)!r} deleted={getattr(deleted, 'deleted', None)!r}",
        sdk_http.last,
    )
    with sdk_call(check, sdk_http, "retrieving the customer"):
        owner = sdk.v1.customers.retrieve(customer)
    check.that(
        owner.default_source == second["id"],
        f"expected default_source to fall back to {second['id']!r}, got {owner.default_source!r}",
        sdk_http.last,
    )


@requires("client.sdk.errors")
def test_sdk_raises_invalid_request_for_unknown_card(
    sdk: stripe.StripeClient, sdk_http: TransportHTTPClient, customer: str, check: Verifier
) -> None:
    try:
        sdk.v1.customers.payment_sources.retrieve(customer, "card_doesnotexist0042")
    except stripe.InvalidRequestError as exc:
        check.that(exc.http_status == 404, f"expected HTTP 404, got {exc.http_status}", sdk_http.last)
    except stripe.StripeError as exc:
        check.that(False, f"expected InvalidRequestError, got {type(exc).__name__}: {exc}"[:300], sdk_http.last)
    else:
        check.that(False, "expected InvalidRequestError, the client returned an object", sdk_http.last)
