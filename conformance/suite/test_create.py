"""Attaching cards to a customer: tokens, raw details, metadata, refusals, the embedded list by API version."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import Response, StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids
from conformance.suite.timeline import Timeline
from conformance.suite.versions import SOURCES_UNEMBEDDED_FROM, embeds_sources, sources_params

AddCard = Callable[..., dict[str, object]]


@requires(
    "card.create.returns-card", "card.create.card-id-prefix", "card.create.token-details", "card.create.metadata",
    "card.version.sources-embedded-legacy", "card.version.sources-expand-only", "card.create.raw-card",
)
def test_attach_tokens_metadata_and_raw_details(
    stripe_client: StripeClient, customer: str, check: Verifier, stripe_now: datetime.datetime
) -> None:
    # One customer receives every card: attaching does not depend on the cards already there.
    with check.soft():  # every step runs: a failed one does not hide the verdicts of the others
        response = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"})
        check.status(response, 200, req="card.create.returns-card")
        with check.soft():
            check.equal(response, "$.object", "card", req="card.create.returns-card")
            check.equal(response, "$.customer", customer, req="card.create.returns-card")
            check.that(
                str(response.json().get("id", "")).startswith("card_"),
                f"expected a card id starting card_ (as Stripe's are), got {response.json().get('id')!r}",
                response,
                req="card.create.card-id-prefix",
                json_path="$.id",
            )
            check.equal(response, "$.brand", "Visa", req="card.create.token-details")
            check.equal(response, "$.last4", "4242", req="card.create.token-details")
            mastercard = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_mastercard"})
            check.status(mastercard, 200, req="card.create.token-details")
            check.equal(mastercard, "$.brand", "MasterCard", req="card.create.token-details")
            check.equal(mastercard, "$.last4", "4444", req="card.create.token-details")

        metadata = {"order": "A-17", "purpose": "conformance"}
        tagged = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa", "metadata": metadata})
        with check.soft():
            card = check.status(tagged, 200, req="card.create.metadata")
            check.equal(tagged, "$.metadata", metadata, req="card.create.metadata")
            if isinstance(card, dict) and card.get("id"):
                again = stripe_client.get(f"/v1/customers/{customer}/sources/{card['id']}")
                check.status(again, 200, req="card.create.metadata")
                check.equal(again, "$.metadata", metadata, req="card.create.metadata")

        attached = [str(r.json().get("id")) for r in (response, mastercard, tagged) if r.status == 200]
        with check.soft():
            _judge_sources_embedding(stripe_client, check, customer, attached)

        year = stripe_now.year + 3
        raw = {"object": "card", "number": "4242424242424242", "exp_month": 7, "exp_year": year, "cvc": "123"}
        answer = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": raw})
        refusal = _raw_cards_refusal(answer)
        if refusal is not None:
            check.not_assessed("card.create.raw-card", f"the target refuses raw card details for this account "
                               f"({refusal}); Stripe accounts may refuse them unless raw card data APIs are enabled")
            return
        req = "card.create.raw-card"
        check.status(answer, 200, req=req)
        with check.soft():
            check.equal(answer, "$.object", "card", req=req)
            check.equal(answer, "$.customer", customer, req=req)
            check.equal(answer, "$.last4", "4242", req=req)
            check.equal(answer, "$.exp_month", 7, req=req)
            check.equal(answer, "$.exp_year", year, req=req)


def _judge_sources_embedding(client: StripeClient, check: Verifier, customer: str, cards: list[str]) -> None:
    """Before 2020-08-27 a customer embeds its sources unasked; from then on only when they are expanded."""
    version = client.stripe_version
    plain = client.get(f"/v1/customers/{customer}")
    if embeds_sources(version):
        check.not_assessed("card.version.sources-expand-only", f"the run pins {version}; sources need expanding "
                           f"only from {SOURCES_UNEMBEDDED_FROM}")
        req = "card.version.sources-embedded-legacy"
        check.status(plain, 200, req=req)
        check.equal(plain, "$.sources.object", "list", req=req)
        check.equal(plain, "$.sources.data[*].id (as a set)", sorted(cards),
                    actual=sorted(map(str, data_ids_of_sources(plain.json()))), req=req)
        return
    check.not_assessed("card.version.sources-embedded-legacy", f"the run pins {version}; customers embed sources "
                       f"only before {SOURCES_UNEMBEDDED_FROM}")
    req = "card.version.sources-expand-only"
    check.status(plain, 200, req=req)
    body = plain.json()
    check.that("sources" not in (body if isinstance(body, dict) else {}),
               "expected no sources on an unexpanded customer, got one",
               plain, req, json_path="$.sources")
    expanded = client.get(f"/v1/customers/{customer}", {"expand": ["sources"]})
    check.status(expanded, 200, req=req)
    check.equal(expanded, "$.sources.object", "list", req=req)
    check.equal(expanded, "$.sources.data[*].id (as a set)", sorted(cards),
                actual=sorted(map(str, data_ids_of_sources(expanded.json()))), req=req)


def data_ids_of_sources(customer: object) -> list[object]:
    """Return the ids in a customer body's ``sources`` list."""
    sources = customer.get("sources") if isinstance(customer, dict) else None
    data = sources.get("data") if isinstance(sources, dict) else None
    return [item.get("id") for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _raw_cards_refusal(response: Response) -> str | None:
    """Describe the refusal when the target answers raw card details with a 4xx error, else None.

    Stripe lets an account refuse raw card data unless it is enabled, and documents no code for
    that refusal; any 4xx error envelope therefore leaves the requirement not assessed.
    """
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    if not 400 <= response.status < 500 or not isinstance(error, dict):
        return None
    return f"HTTP {response.status} {error.get('type')}/{error.get('code')}"


@requires(
    "card.create.missing-source", "card.create.unknown-token", "card.create.unknown-token-code",
    "card.create.embedded-newest-first", "card.create.embedded-ten-most-recent", "card.list.default-limit",
)
@pytest.mark.needs_feature("list_sources")
def test_refusals_attach_nothing_then_ten_most_recent_sources(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    # Every check here is soft: a refusal that fails does not hide the ten cards' verdicts.
    with check.soft():
        missing = stripe_client.post(f"/v1/customers/{customer}/sources", {})
        unknown = stripe_client.post(f"/v1/customers/{customer}/sources", {"source": "tok_does_not_exist_0042"})
        listed = stripe_client.get(f"/v1/customers/{customer}/sources", {"object": "card"})
        check.error(missing, status=400, param="source", req="card.create.missing-source")
        check.error(unknown, status=(400, 404), req="card.create.unknown-token")
        check.error(unknown, status=400, code="resource_missing", req="card.create.unknown-token-code")
        check.status(listed, 200, req="card.create.unknown-token")
        check.equal(listed, "$.data[*].id", [], actual=data_ids(listed), req="card.create.unknown-token")
        if listed.status != 200 or data_ids(listed):
            # A card a refusal attached anyway would sit among the eleven below: their count cannot be judged.
            reason = "the customer's sources could not be shown empty before the eleven cards were attached"
            for rid in ("card.create.embedded-newest-first", "card.create.embedded-ten-most-recent",
                        "card.list.default-limit"):
                check.not_assessed(rid, reason)
            return
        _ten_most_recent(stripe_client, customer, add_card, check)


def _ten_most_recent(stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier) -> None:
    """Attach eleven cards; the customer embeds, and its list shows by default, the ten newest."""
    timeline = Timeline()
    timeline.attach(add_card, customer)
    timeline.next_second()  # the first card is certainly the oldest: it alone falls off the ten
    recent = {timeline.attach(add_card, customer) for _ in range(10)}
    response = stripe_client.get(f"/v1/customers/{customer}", sources_params(stripe_client))
    check.status(response, 200, req="card.create.embedded-newest-first")
    body = response.json()
    sources = body.get("sources") if isinstance(body, dict) else None
    embedded = isinstance(sources, dict) and isinstance(sources.get("data"), list)
    check.that(
        embedded,
        f"expected the customer to carry a sources list, got {str(sources)[:80]}",
        response,
        req="card.create.embedded-newest-first",
        json_path="$.sources",
    )
    if embedded:
        assert isinstance(sources, dict)
        shown = [item.get("id") if isinstance(item, dict) else item for item in sources["data"]]
        wrong = timeline.order_violations(shown)
        check.that(not wrong, f"expected the sources newest first: {'; '.join(wrong)}", response,
                   req="card.create.embedded-newest-first", json_path="$.sources.data")
        check.equal(response, "$.sources.data[*].id (as a set)", sorted(recent), actual=sorted(map(str, shown)),
                    req="card.create.embedded-ten-most-recent")
        check.equal(response, "$.sources.has_more", True, req="card.create.embedded-ten-most-recent")
    listed = stripe_client.get(f"/v1/customers/{customer}/sources")
    check.status(listed, 200, req="card.list.default-limit")
    # The limit alone: which ten a page holds is the order's rule (card.list.newest-first), judged elsewhere.
    check.equal(listed, "$.data.length", 10, actual=len(data_ids(listed)), req="card.list.default-limit")
    check.equal(listed, "$.has_more", True, req="card.list.default-limit")


@requires("card.create.unknown-customer")
def test_attach_to_unknown_customer(stripe_client: StripeClient, check: Verifier) -> None:
    response = stripe_client.post("/v1/customers/cus_doesnotexist0042/sources", {"source": "tok_visa"})
    check.error(response, status=404, code="resource_missing")
