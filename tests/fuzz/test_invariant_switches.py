"""Every fuzz invariant, one by one: it fails on a target with its fault, and counts an observation only
when it judged a real answer (no observation, and a reason, when its precondition is not met).

Each test drives the invariant directly against a reference server (no Hypothesis), so that
switching the invariant off (returning no failure) makes exactly its test fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fuzz_helpers import KEY, mutant_faults

from conformance.fuzz.default_source import DefaultSourceRules
from conformance.fuzz.list_contract import ListContract
from conformance.fuzz.model import AccountModel, CustomerModel
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import (
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    LIST_CONTRACT,
    OTHER_CUSTOMERS_CARD,
    REFUSED_CHANGES_NOTHING,
    UPDATE_APPLIES,
    UPDATE_READ_BACK,
    WEBHOOK_SECRET,
)
from conformance.fuzz.updates import SOURCE_PATH, UpdateInvariants
from conformance.fuzz.webhook_secret import webhook_secret
from conformance.http import StripeClient
from conformance.reference import ReferenceServer, Store
from conformance.reference.errors import invalid_request
from conformance.reference.other_objects import OtherObjects


@dataclass
class Call:
    """The parts of a generated case the invariants read."""

    method: str
    path: str
    formatted_path: str
    body: Any = None
    path_parameters: dict[str, str] = field(default_factory=dict)


class UpdateNotSaved(Store):
    """Answers an accepted card update with the new name but keeps the old one."""

    def update_source(self, customer_id: str, source_id: str, params: Any, **kwargs: Any) -> Any:
        card = self._customers[customer_id].sources[source_id]
        old = card.name
        answer = super().update_source(customer_id, source_id, params, **kwargs)
        card.name = old
        return answer


class LeakingSecrets(OtherObjects):
    """Renders a webhook endpoint's secret in every answer."""

    def render_webhook_endpoint(self, endpoint: Any, *, with_secret: bool) -> Any:
        return super().render_webhook_endpoint(endpoint, with_secret=True)


class SecretLeaks(Store):
    other_objects_class = LeakingSecrets


class RefusesLimit100(Store):
    """Refuses every list read with ``limit=100`` (a target that lacks part of the list contract)."""

    def parse_page_request(self, params: Any) -> Any:
        if str(params.get("limit")) == "100":
            raise invalid_request("limit is not supported here", param="limit")
        return super().parse_page_request(params)


@pytest.fixture
def target() -> Iterator[Any]:
    servers: list[ReferenceServer] = []

    def start(store: Store | None = None) -> StripeClient:
        server = ReferenceServer(store=store or Store()).start()
        servers.append(server)
        return StripeClient(server.url, KEY)

    yield start
    for server in servers:
        server.stop()


def _customer_with_cards(client: StripeClient, cards: int = 1) -> tuple[str, list[str]]:
    customer = client.post("/v1/customers", {}).json()["id"]
    ids = [client.post(f"/v1/customers/{customer}/sources", {"source": "tok_visa"}).json()["id"] for _ in range(cards)]
    return customer, ids


def _card_call(customer: str, card: str, body: dict[str, Any]) -> Call:
    path = f"/v1/customers/{customer}/sources/{card}"
    return Call("POST", SOURCE_PATH, path, body, {"customer": customer, "id": card})


def _ids(failures: list[Any]) -> set[str]:
    return {failure.requirement_id for failure in failures}


# -- refused_changes_nothing -------------------------------------------------------------------------


@pytest.mark.parametrize(("store", "fails"), [("ApplyNameBeforeValidating", True), (None, False)])
def test_refused_changes_nothing(target: Any, store: str | None, fails: bool) -> None:
    client = target(getattr(mutant_faults(), store)() if store else None)
    customer, (card,) = _customer_with_cards(client)
    call = _card_call(customer, card, {"name": "changed", "exp_month": 13})
    before = client.get(call.formatted_path)
    assert 400 <= client.post(call.formatted_path, call.body).status < 500
    seen = Observations()
    failures = UpdateInvariants(client, seen).refused_changes_nothing(call, before)
    assert (REFUSED_CHANGES_NOTHING in _ids(failures)) is fails
    assert seen.count(REFUSED_CHANGES_NOTHING) == 1


def test_refused_changes_nothing_without_a_before_read_is_not_observed(target: Any) -> None:
    client = target()
    call = _card_call("cus_missing", "card_missing", {"exp_month": 13})
    seen = Observations()
    assert UpdateInvariants(client, seen).refused_changes_nothing(call, client.get(call.formatted_path)) == []
    assert seen.count(REFUSED_CHANGES_NOTHING) == 0
    assert "answered HTTP 404" in (seen.reason(REFUSED_CHANGES_NOTHING) or "")


# -- update_read_back and update_applies --------------------------------------------------------------


@pytest.mark.parametrize(("store", "fails"), [(UpdateNotSaved, True), (Store, False)])
def test_update_read_back(target: Any, store: type[Store], fails: bool) -> None:
    client = target(store())
    customer, (card,) = _customer_with_cards(client)
    call = _card_call(customer, card, {"name": "read me back"})
    response = client.post(call.formatted_path, call.body)
    seen = Observations()
    assert (UPDATE_READ_BACK in _ids(UpdateInvariants(client, seen).read_back(call, response))) is fails
    assert seen.count(UPDATE_READ_BACK) == 1


@pytest.mark.parametrize(("store", "fails"), [("IgnoreAddressLine2", True), (None, False)])
def test_update_applies(target: Any, store: str | None, fails: bool) -> None:
    client = target(getattr(mutant_faults(), store)() if store else None)
    customer, (card,) = _customer_with_cards(client)
    call = _card_call(customer, card, {"address_line2": "Suite 9"})
    response = client.post(call.formatted_path, call.body)
    seen = Observations()
    assert (UPDATE_APPLIES in _ids(UpdateInvariants(client, seen).applies(call, response))) is fails
    assert seen.count(UPDATE_APPLIES) == 1


def test_update_applies_merges_metadata_key_by_key(target: Any) -> None:
    client = target(mutant_faults().MetadataReplacesInsteadOfMerging())
    customer, (card,) = _customer_with_cards(client)
    path = f"/v1/customers/{customer}/sources/{card}"
    client.post(path, {"metadata": {"kept": "1"}})
    call = _card_call(customer, card, {"metadata": {"added": "2"}})
    before = client.get(path)
    failures = UpdateInvariants(client, Observations()).applies(call, client.post(path, call.body), before)
    assert UPDATE_APPLIES in _ids(failures)


def test_a_number_sent_as_metadata_is_expected_as_its_text(target: Any) -> None:
    client = target()
    customer, (card,) = _customer_with_cards(client)
    call = _card_call(customer, card, {"metadata": {"n": -1.5e-43, "on": True}})
    before = client.get(call.formatted_path)
    seen = Observations()
    assert UpdateInvariants(client, seen).applies(call, client.post(call.formatted_path, call.body), before) == []
    assert seen.count(UPDATE_APPLIES) == 1


def test_a_refused_update_is_no_observation_of_update_applies(target: Any) -> None:
    client = target()
    customer, (card,) = _customer_with_cards(client)
    call = _card_call(customer, card, {"exp_month": 13})
    seen = Observations()
    invariants = UpdateInvariants(client, seen)
    response = client.post(call.formatted_path, call.body)
    assert invariants.applies(call, response) == [] and invariants.read_back(call, response) == []
    assert seen.count(UPDATE_APPLIES) == seen.count(UPDATE_READ_BACK) == 0


# -- list contract ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("store", "fails"),
    [("HasMoreOffByOne", True), ("StartingAfterInclusive", True), ("BothCursorsAccepted", True), (None, False)],
)
def test_list_contract(target: Any, store: str | None, fails: bool) -> None:
    client = target(getattr(mutant_faults(), store)() if store else None)
    customer, _ = _customer_with_cards(client, 4)
    seen = Observations()
    listing, failures = ListContract(client, seen).walk(f"/v1/customers/{customer}/sources")
    assert listing is not None and len(listing.ids) == 4
    assert (LIST_CONTRACT in _ids(failures)) is fails
    assert seen.count(LIST_CONTRACT) >= 2


def test_a_list_length_already_walked_is_read_whole_only(target: Any) -> None:
    client = target()
    first, _ = _customer_with_cards(client, 3)
    second, _ = _customer_with_cards(client, 3)
    third, _ = _customer_with_cards(client, 2)
    sent: list[Any] = []
    client.observe(sent.append)
    lists = ListContract(client, Observations())
    for customer, walked in ((first, True), (second, False), (third, True)):
        sent.clear()
        listing, failures = lists.walk(f"/v1/customers/{customer}/sources")
        assert listing is not None and failures == []
        assert (len(sent) > 1) is walked, [response.request.url for response in sent]


def test_a_refused_whole_list_read_is_not_observed(target: Any) -> None:
    client = target(RefusesLimit100())
    customer, _ = _customer_with_cards(client, 2)
    seen = Observations()
    assert ListContract(client, seen).walk(f"/v1/customers/{customer}/sources") == (None, [])
    assert seen.count(LIST_CONTRACT) == 0
    assert "limit=100 answered HTTP 400" in (seen.reason(LIST_CONTRACT) or "")


# -- default source, deleted cards, foreign reads -------------------------------------------------------


def _rules(client: StripeClient) -> tuple[DefaultSourceRules, AccountModel, Observations]:
    model, seen = AccountModel(), Observations()
    return DefaultSourceRules(client, model, seen, ListContract(client, seen)), model, seen


def _exercise(store: Store | None, target: Any, *, spaced: bool = False) -> tuple[set[str], Observations]:
    """Run the exercise on a customer with one card, or (``spaced``) three cards a second older than the rest.

    Among cards of one creation second any may become the default, so a fallback to the oldest card
    shows only when the remaining cards are certainly a second apart.
    """
    client = target(store)
    rules, model, seen = _rules(client)
    started = time.monotonic()
    customer, cards = _customer_with_cards(client, 3 if spaced else 1)
    state = CustomerModel(customer, cards_created=list(cards))
    if spaced:
        state.windows = {card: (started, time.monotonic()) for card in cards}
        time.sleep(1.05)
        model.last_seen = time.monotonic()  # the exercise's own cards are made after this
    model.customers[customer] = state
    return _ids(rules.exercise(state)), seen


@pytest.mark.parametrize(
    ("store", "requirement"),
    [
        ("FallbackToOldest", DEFAULT_SOURCE_RULES),
        ("NewestCardBecomesDefault", DEFAULT_SOURCE_RULES),
        ("AnyDeleteMovesDefault", DEFAULT_SOURCE_RULES),
        ("DeleteKeepsTheCard", DELETED_STAYS_DELETED),
        ("DeleteUnknownCardSucceeds", DELETED_STAYS_DELETED),
        ("ReadAnyCustomersCard", OTHER_CUSTOMERS_CARD),
    ],
)
def test_the_default_source_exercise_catches(target: Any, store: str, requirement: str) -> None:
    found, _ = _exercise(getattr(mutant_faults(), store)(), target, spaced=store == "FallbackToOldest")
    assert requirement in found


def test_a_fallback_among_cards_of_one_second_is_allowed(target: Any) -> None:
    # Stripe documents no order within one `created` second: any of those cards may become the default.
    found, seen = _exercise(mutant_faults().FallbackToOldest(), target)
    assert DEFAULT_SOURCE_RULES not in found
    assert seen.count(DEFAULT_SOURCE_RULES) >= 1


def test_the_default_source_exercise_observes_every_rule_on_a_faithful_target(target: Any) -> None:
    found, seen = _exercise(None, target)
    assert found == set()
    for requirement in (DEFAULT_SOURCE_RULES, DEFAULT_SOURCE_LIVE, DELETED_STAYS_DELETED, LIST_CONTRACT,
                        UPDATE_APPLIES, REFUSED_CHANGES_NOTHING, OTHER_CUSTOMERS_CARD):
        assert seen.count(requirement) >= 1, requirement


def test_a_dangling_default_source_fails_default_source_live(target: Any) -> None:
    client = target(mutant_faults().LastDeleteLeavesDanglingDefault())
    rules, model, _ = _rules(client)
    customer, (card,) = _customer_with_cards(client)
    model.customers[customer] = state = CustomerModel(customer, cards_created=[card])
    client.delete(f"/v1/customers/{customer}/sources/{card}")
    state.deleted.add(card)
    assert DEFAULT_SOURCE_LIVE in _ids(rules.customer_state(state))


def test_a_deleted_card_listed_again_fails_deleted_stays_deleted(target: Any) -> None:
    client = target(mutant_faults().DeleteKeepsTheCard())
    rules, model, seen = _rules(client)
    customer, cards = _customer_with_cards(client, 2)
    model.customers[customer] = state = CustomerModel(customer, cards_created=list(cards))
    assert client.delete(f"/v1/customers/{customer}/sources/{cards[0]}").status == 200
    state.deleted.add(cards[0])
    assert DELETED_STAYS_DELETED in _ids(rules.customer_state(state))
    assert seen.count(DELETED_STAYS_DELETED) == 1


def test_without_a_card_list_the_rules_are_not_observed(target: Any) -> None:
    client = target(RefusesLimit100())
    rules, model, seen = _rules(client)
    customer, cards = _customer_with_cards(client)
    model.customers[customer] = CustomerModel(customer, cards_created=list(cards))
    assert rules.exercise(model.customers[customer]) == []
    for requirement in (DEFAULT_SOURCE_RULES, DEFAULT_SOURCE_LIVE, DELETED_STAYS_DELETED):
        assert seen.count(requirement) == 0
        assert "answered HTTP 400" in (seen.reason(requirement) or ""), requirement


# -- webhook secret ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("store", "fails"), [(SecretLeaks, True), (Store, False)])
def test_webhook_secret_only_in_the_answer_to_create(target: Any, store: type[Store], fails: bool) -> None:
    client = target(store())
    seen = Observations()
    created = client.post("/v1/webhook_endpoints", {"url": "https://example.com/h", "enabled_events": ["*"]})
    create = Call("POST", "/v1/webhook_endpoints", "/v1/webhook_endpoints")
    assert webhook_secret(create, created, seen) == []
    endpoint = created.json()["id"]
    read = Call("GET", "/v1/webhook_endpoints/{webhook_endpoint}", f"/v1/webhook_endpoints/{endpoint}")
    failures = webhook_secret(read, client.get(read.formatted_path), seen)
    assert (WEBHOOK_SECRET in _ids(failures)) is fails
    assert seen.count(WEBHOOK_SECRET) == 2


def test_webhook_secret_is_not_observed_without_a_webhook_endpoint(target: Any) -> None:
    client = target()
    seen = Observations()
    customers = Call("GET", "/v1/customers", "/v1/customers")
    assert webhook_secret(customers, client.get("/v1/customers"), seen) == []
    missing = Call("GET", "/v1/webhook_endpoints/{webhook_endpoint}", "/v1/webhook_endpoints/we_missing")
    assert webhook_secret(missing, client.get(missing.formatted_path), seen) == []
    assert seen.count(WEBHOOK_SECRET) == 0
