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

from conformance.checks import Unsupported, Verifier
from conformance.http.transport import Transport
from conformance.suite.cite import requires
from conformance.suite.objects import RUN_TAG, CustomerFactory
from conformance.suite.sdk import TransportHTTPClient, sdk_client
from conformance.targets import TargetConfig
from conformance.targets.profile import TargetProfile

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
def sdk_call(check: Verifier, http: TransportHTTPClient, what: str, req: str | None = None) -> Iterator[None]:
    """Turn an exception the client raises while ``what`` into a failed check (of ``req``) with the exchange."""
    try:
        yield
    except stripe.StripeError as exc:
        message = " ".join(str(exc).split())[:200]
        check.that(False, f"expected {what} to succeed, the client raised {type(exc).__name__}: {message}", http.last,
                   req)


@requires("client.sdk.customer", "client.sdk.attach-card", "client.sdk.errors", "client.sdk.delete-card")
def test_sdk_attaches_a_card_then_sdk_deletes_the_default_card(
    sdk: stripe.StripeClient,
    sdk_http: TransportHTTPClient,
    customers: CustomerFactory,
    stripe_run_id: str,
    add_card: AddCard,
    check: Verifier,
) -> None:
    # One customer made through the client carries the steps in turn: each reads what the step
    # before it left, and the deletion comes last.
    req = "client.sdk.customer"
    with sdk_call(check, sdk_http, "creating a customer", req):
        created = sdk.v1.customers.create(
            {"description": "stripe-conformance sdk", "metadata": {RUN_TAG: stripe_run_id}}
        )
    customers.created.append(created.id)  # removed with the scenario's other customers
    customer = created.id
    kind = type(created).__name__
    check.that(isinstance(created, stripe.Customer), f"expected a Customer, got {kind}", sdk_http.last, req)

    req = "client.sdk.attach-card"
    with sdk_call(check, sdk_http, "attaching tok_visa", req):
        card = sdk.v1.customers.payment_sources.create(customer, {"source": "tok_visa"})
    check.that(isinstance(card, stripe.Card), f"expected a Card, got {type(card).__name__}", sdk_http.last, req)
    check.that(
        getattr(card, "customer", None) == customer,
        f"expected card.customer {customer!r}, got {getattr(card, 'customer', None)!r}",
        sdk_http.last,
        req,
    )
    with sdk_call(check, sdk_http, "retrieving the customer", "client.sdk.customer"):
        owner = sdk.v1.customers.retrieve(customer)
    check.that(
        isinstance(owner, stripe.Customer) and owner.id == customer,
        f"expected Customer {customer}, got {type(owner).__name__} {getattr(owner, 'id', None)!r}",
        sdk_http.last,
        "client.sdk.customer",
    )
    check.that(
        owner.default_source == card.id,
        f"expected default_source {card.id!r}, got {owner.default_source!r}",
        sdk_http.last,
        req,
    )

    req = "client.sdk.errors"
    try:
        sdk.v1.customers.payment_sources.retrieve(customer, "card_doesnotexist0042")
    except stripe.InvalidRequestError as exc:
        check.that(exc.http_status == 404, f"expected HTTP 404, got {exc.http_status}", sdk_http.last, req)
    except stripe.StripeError as exc:
        check.that(False, f"expected InvalidRequestError, got {type(exc).__name__}: {exc}"[:300], sdk_http.last, req)
    else:
        check.that(False, "expected InvalidRequestError, the client returned an object", sdk_http.last, req)

    req = "client.sdk.delete-card"
    second = add_card(customer, "tok_mastercard")
    with sdk_call(check, sdk_http, "deleting the default card", req):
        deleted = sdk.v1.customers.payment_sources.delete(customer, card.id)
    check.that(
        getattr(deleted, "deleted", None) is True and getattr(deleted, "id", None) == card.id,
        f"expected a deleted object for {card.id!r}, got {type(deleted).__name__} "
        f"id={getattr(deleted, 'id', None)!r} deleted={getattr(deleted, 'deleted', None)!r}",
        sdk_http.last,
        req,
    )
    with sdk_call(check, sdk_http, "retrieving the customer", req):
        owner = sdk.v1.customers.retrieve(customer)
    check.that(
        owner.default_source == second["id"],
        f"expected default_source to fall back to {second['id']!r}, got {owner.default_source!r}",
        sdk_http.last,
        req,
    )


@requires("client.sdk.auto-paging", "client.sdk.update-card")
@pytest.mark.needs_feature("list_sources")
def test_sdk_auto_paging_visits_every_card_once_then_updates_one(
    sdk: stripe.StripeClient,
    sdk_http: TransportHTTPClient,
    customer: str,
    add_card: AddCard,
    stripe_profile: TargetProfile,
    check: Verifier,
) -> None:
    attached = [str(add_card(customer, token)["id"]) for token in ("tok_visa", "tok_mastercard", "tok_visa")]
    seen: list[str] = []
    req = "client.sdk.auto-paging"
    with check.soft():  # the update below does not depend on the paging's verdict
        with sdk_call(check, sdk_http, "auto-paging through the cards", req):
            pages = sdk.v1.customers.payment_sources.list(customer, {"object": "card", "limit": 1})
            for item in pages.auto_paging_iter():
                seen.append(item.id)
                if len(seen) > len(attached) + PAGING_SLACK:
                    break  # a list that never ends must fail, not hang
        check.that(
            len(seen) <= len(attached) + PAGING_SLACK,
            f"expected auto-pagination to end after {len(attached)} cards, it was still going after {len(seen)}",
            sdk_http.last,
            req,
        )
        check.that(
            sorted(seen) == sorted(attached),
            f"expected each of {len(attached)} cards exactly once, got {len(seen)} items: {seen[:8]}",
            sdk_http.last,
            req,
        )

        req = "client.sdk.update-card"
        unclaimed = stripe_profile.skip_reason(("update_source",))
        if unclaimed:  # the paging above is judged; the update is not this target's to make
            raise Unsupported("update_source", unclaimed)
        updated: object = None  # stays None when the client raised (already a failed check)
        with sdk_call(check, sdk_http, "updating the card", req):
            updated = sdk.v1.customers.payment_sources.update(
                customer, attached[0], {"name": "Jenny Rosen", "exp_month": "3"}
            )
        if updated is not None:
            kind = type(updated).__name__
            check.that(isinstance(updated, stripe.Card), f"expected a Card, got {kind}", sdk_http.last, req)
            name, month = getattr(updated, "name", None), getattr(updated, "exp_month", None)
            check.that(
                name == "Jenny Rosen" and month == 3,
                f"expected name 'Jenny Rosen' and exp_month 3, got {name!r} and {month!r}",
                sdk_http.last,
                req,
            )
