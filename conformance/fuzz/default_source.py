"""The default-source rules of seeds/004, probed on a customer the scenario made, and deleted cards staying deleted.

- The customer's ``default_source`` is one of its live cards, or null ('Delete a card').
- The first card becomes the default, later cards leave it, deleting another card leaves it,
  deleting it picks the most recently added remaining card, an explicit ``default_source``
  update sets it.
- A card this scenario deleted never reappears in the customer's card list, and a second delete
  of it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.attach import attach_card
from conformance.fuzz.list_contract import ListContract
from conformance.fuzz.model import AccountModel, CustomerModel
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import (
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    OTHER_CUSTOMERS_CARD,
    REFUSED_CHANGES_NOTHING,
    UPDATE_APPLIES,
)
from conformance.fuzz.updates import CUSTOMER_PATH, UpdateInvariants
from conformance.http import StripeClient
from conformance.http.exchange import Response

ATTACH_PATH = "/v1/customers/{customer}/sources"
CARD_OF_CUSTOMER_PATH = "/v1/customers/{customer}/sources/{id}"
EXERCISE_CARDS = 3
"""Cards the exercise attaches to a customer that already has one."""
LISTED_REQUIREMENTS = (DEFAULT_SOURCE_LIVE, DEFAULT_SOURCE_RULES, DELETED_STAYS_DELETED)
"""What cannot be judged when the customer's cards cannot be listed or the customer read."""


@dataclass(frozen=True)
class Step:
    """What a call did, for the default-source rules."""

    response: Response
    label: str
    attaches_card: bool
    deletes_card: bool
    card: str
    replaces_default: bool
    """A customer update with ``source``: the new card replaces the default."""
    sets_default: str | None
    """The card an explicit ``default_source`` update chose."""

    @classmethod
    def made(
        cls, method: str, path: str, response: Response, card: str = "", body: dict[str, Any] | None = None
    ) -> Step:
        """Describe the call ``method path`` (a path template) with its answer."""
        sent = body or {}
        ok = response.status == 200
        updating = ok and method == "POST" and path == CUSTOMER_PATH
        chosen = sent.get("default_source")
        return cls(
            response=response,
            label=f"{method} {path}",
            attaches_card=ok and method == "POST" and path.endswith(("/sources", "/cards")),
            deletes_card=ok and method == "DELETE" and path.endswith("/{id}"),
            card=card,
            replaces_default=updating and "source" in sent,
            sets_default=chosen if updating and isinstance(chosen, str) and "source" not in sent else None,
        )

    @classmethod
    def of_case(cls, case: schemathesis.Case[Any], response: Response) -> Step:
        """Describe a generated call with its answer."""
        body = case.body if isinstance(case.body, dict) else {}
        card = unquote(str((case.path_parameters or {}).get("id", "")))
        return cls.made(case.method.upper(), case.path, response, card, body)


_ANY = object()


class DefaultSourceRules:
    """Probe a customer's cards and default source after a change, and walk it through the rules."""

    def __init__(
        self, client: StripeClient, model: AccountModel, observations: Observations, lists: ListContract
    ) -> None:
        """Probe through ``client``, compare with ``model``, count in ``observations``, list with ``lists``."""
        self.client = client
        self.model = model
        self.observations = observations
        self.lists = lists
        self.updates = UpdateInvariants(client, observations)
        self.last_customer: Response | None = None
        """The retrieve of the customer made by the last probe (None when it failed): the rules' evidence."""

    def customer_state(
        self,
        customer: CustomerModel,
        *,
        replacing: bool = False,
        read: Response | None = None,
        cards_unchanged: bool = False,
    ) -> list[Failure]:
        """Check the customer's card list and default source against the model.

        ``read`` is a retrieve of the customer made since the last change (an update's read-back),
        used instead of retrieving it again. With ``cards_unchanged`` (a customer update that sent no
        ``source``: it cannot add or remove a card) the cards listed by the last probe stand, if one
        is known, and only the default source is read again.
        """
        known = customer.probed is not None
        self.last_customer = None
        customer.probed = None
        failures: list[Failure] = []
        if cards_unchanged and known:
            ids = [card for card in customer.cards_created if card in customer.live]
        else:
            listed, failures = self.lists.walk(f"/v1/customers/{customer.id}/sources")
            if listed is None:
                self._missed_all(f"listing the cards of customer {customer.id} answered HTTP {self.lists.last_status}")
                return failures
            ids = listed.ids
            self.model.relist(customer, listed.ids, replacing=replacing)
            if customer.deleted:
                self.observations.saw(DELETED_STAYS_DELETED)
            back = sorted(customer.deleted & set(listed.ids))
            if back:
                failures.append(
                    ValueMismatch.from_exchange(
                        DELETED_STAYS_DELETED,
                        f"deleted card(s) {', '.join(back)} listed again under customer {customer.id}",
                        response=listed.full,
                        json_path="$.data",
                    )
                )
        retrieved = read if read is not None else self.client.get(f"/v1/customers/{customer.id}")
        body = retrieved.json()
        if retrieved.status != 200 or not isinstance(body, dict):
            self._missed_all(f"retrieving customer {customer.id} answered HTTP {retrieved.status}")
            return failures
        default = body.get("default_source")
        customer.default = default if isinstance(default, str) else None
        self.last_customer = customer.probed = retrieved
        self.observations.saw(DEFAULT_SOURCE_LIVE)
        if default is not None and default not in ids:
            failures.append(
                ValueMismatch.from_exchange(
                    DEFAULT_SOURCE_LIVE,
                    f"default_source {default!r} is not one of the customer's cards {ids}",
                    response=retrieved,
                    json_path="$.default_source",
                )
            )
        return failures

    def _missed_all(self, reason: str) -> None:
        for requirement_id in LISTED_REQUIREMENTS:
            self.observations.missed(requirement_id, reason)

    def rules(self, customer: CustomerModel, step: Step, before: str | None) -> list[Failure]:
        """Check the step's effect on the default source against seeds/004's rules."""
        if step.response.status != 200 or self.last_customer is None:
            return []
        now = customer.default
        expected: str | object | None = _ANY
        rule = ""
        if step.attaches_card:
            card = step.response.json().get("id")
            expected = before if before is not None else card
            rule = "attaching a card keeps an existing default; the first card becomes it"
        elif step.deletes_card:
            if step.card != before:
                expected, rule = before, "deleting a card that is not the default keeps the default"
            else:  # among cards created in the same second any may become the default
                expected = now if now in customer.newest_live_candidates() else customer.newest_live()
                rule = "deleting the default makes the most recently added remaining card the default"
        elif step.sets_default is not None:
            expected, rule = step.sets_default, "updating default_source makes that card the default"
        if expected is _ANY:
            return []
        self.observations.saw(DEFAULT_SOURCE_RULES)
        if now == expected:
            return []
        return [
            ValueMismatch.from_exchange(
                DEFAULT_SOURCE_RULES,
                f"{rule}: default_source was {before!r}, is {now!r} after {step.label}, expected {expected!r}",
                response=self.last_customer,
                json_path="$.default_source",
            )
        ]

    def second_delete(self, customer: CustomerModel, step: Step) -> list[Failure]:
        """A card deleted once cannot be deleted again."""
        if not (step.deletes_card and step.response.status == 200 and step.card in customer.deleted_twice):
            return []
        customer.deleted_twice.remove(step.card)
        return [
            ValueMismatch.from_exchange(
                DELETED_STAYS_DELETED,
                f"deleting card {step.card} a second time answered HTTP 200, not 404",
                response=step.response,
            )
        ]

    def exercise(self, customer: CustomerModel) -> list[Failure]:
        """Walk a customer with cards through seeds/004's rules, stopping at the first broken one.

        Attach three more cards (the default stays); update the newest card's metadata (merged key
        by key) and send it a refused update (nothing changes); read it under another customer
        (404); delete the oldest card that is not the default (the default stays), delete it again
        (refused); delete the default (the most recently added remaining card becomes it); make
        the oldest remaining card the default explicitly.
        """
        if customer.probed is not None:  # nothing changed the customer since it was last probed
            self.last_customer = customer.probed
        else:
            state = self.customer_state(customer)
            if state or self.last_customer is None:
                return state
        self.observations.saw(DEFAULT_SOURCE_RULES)
        if customer.default is None:
            return [self._rule_failure("the first card attached to a customer becomes its default", customer)]
        attach = f"/v1/customers/{customer.id}/sources"
        for _ in range(EXERCISE_CARDS):
            failures = self._exercise_step(customer, "POST", attach, "")
            if failures:
                return failures
        newest = customer.newest_live()
        if newest is not None:
            failures = self._card_updates(customer, f"{attach}/{newest}")
            if failures:
                return failures
        others = [card for card in customer.cards_created if card in customer.live and card != customer.default]
        if others:
            failures = self._exercise_step(customer, "DELETE", f"{attach}/{others[0]}", others[0])
            if failures:
                return failures
            customer.probed = None
            again = self.client.delete(f"{attach}/{others[0]}")
            self.observations.saw(DELETED_STAYS_DELETED)
            if again.status == 200:
                message = f"deleting card {others[0]} a second time answered HTTP 200, not 404"
                return [ValueMismatch.from_exchange(DELETED_STAYS_DELETED, message, response=again)]
        default = str(customer.default)
        failures = self._exercise_step(customer, "DELETE", f"{attach}/{default}", default)
        if failures:
            return failures
        oldest = next((card for card in customer.cards_created if card in customer.live), None)
        if oldest is None or oldest == customer.default:
            return []
        before = customer.default
        customer.probed = None
        chosen = self.client.post(f"/v1/customers/{customer.id}", {"default_source": oldest})
        step = Step.made("POST", CUSTOMER_PATH, chosen, "", {"default_source": oldest})
        return self.customer_state(customer) + self.rules(customer, step, before)

    def _card_updates(self, customer: CustomerModel, card_path: str) -> list[Failure]:
        """Merge metadata into a card, send it a refused update, read it under another customer."""
        customer.probed = None
        before = self.client.get(card_path)
        if before.status != 200 or not isinstance(before.json(), dict):
            reason = f"reading card {card_path} for the update probes answered HTTP {before.status}"
            for requirement_id in (UPDATE_APPLIES, REFUSED_CHANGES_NOTHING, OTHER_CUSTOMERS_CARD):
                self.observations.missed(requirement_id, reason)
            return []
        old = before.json().get("metadata") or {}
        merged = self.client.post(card_path, {"metadata": {"fuzz_added": "1"}})
        expected = {**old, "fuzz_added": "1"}
        if merged.status == 200:
            self.observations.saw(UPDATE_APPLIES)
            if merged.json().get("metadata") != expected:
                message = (
                    f"metadata {old!r} updated with {{'fuzz_added': '1'}} answered {merged.json().get('metadata')!r}"
                )
                return [ValueMismatch.from_exchange(UPDATE_APPLIES, message, response=merged, json_path="$.metadata")]
        else:
            self.observations.missed(UPDATE_APPLIES, f"merging metadata into a card answered HTTP {merged.status}")
        current = self.client.get(card_path)
        refused = self.client.post(card_path, {"name": "refused update", "exp_month": 13})
        after = self.client.get(card_path)
        if 400 <= refused.status < 500 and current.status == 200:
            message = "an update refused for exp_month=13 still changed the card (its name was sent alongside)"
            failures = self.updates.compare_refused(current, after, message)
            if failures:
                return failures
        elif 400 <= refused.status < 500:
            self.observations.missed(REFUSED_CHANGES_NOTHING, f"reading a card answered HTTP {current.status}")
        return self._foreign_read(customer, card_path)

    def _foreign_read(self, customer: CustomerModel, card_path: str) -> list[Failure]:
        """A card is not readable under a customer it does not belong to (another of the scenario's, or a new one)."""
        stranger = next((c.id for c in self.model.customers.values() if c.id != customer.id and not c.gone), None)
        if stranger is None:
            other = self.client.post("/v1/customers", {"description": "stripe-conformance fuzz: second customer"})
            if other.status != 200 or not isinstance(other.json(), dict):
                reason = f"creating a second customer for the foreign read answered HTTP {other.status}"
                self.observations.missed(OTHER_CUSTOMERS_CARD, reason)
                return []
            stranger = str(other.json()["id"])
            self.model.customers.setdefault(stranger, CustomerModel(stranger))
        card = card_path.rsplit("/", 1)[1]
        foreign = self.client.get(f"/v1/customers/{stranger}/sources/{card}")
        self.observations.saw(OTHER_CUSTOMERS_CARD)
        if foreign.status == 200:
            message = f"card {card} of customer {customer.id} was read under another customer {stranger}"
            return [ValueMismatch.from_exchange(OTHER_CUSTOMERS_CARD, message, response=foreign)]
        return []

    def _exercise_step(self, customer: CustomerModel, method: str, path: str, card: str) -> list[Failure]:
        before = customer.default
        customer.probed = None
        if method == "POST":
            response = attach_card(self.client, customer.id, "tok_mastercard", {"origin": "exercise"})
            body = response.json()
            if response.status != 200 or not isinstance(body, dict):
                reason = f"attaching a card for the default-source exercise answered HTTP {response.status}"
                self.observations.missed(DEFAULT_SOURCE_RULES, reason)
                return []
            self.model.saw_card(customer, body.get("id"))
            step = Step.made("POST", ATTACH_PATH, response)
        else:
            response = self.client.delete(path)
            if response.status != 200:
                reason = f"deleting a card for the default-source exercise answered HTTP {response.status}"
                self.observations.missed(DEFAULT_SOURCE_RULES, reason)
                return []
            customer.deleted.add(card)
            step = Step.made("DELETE", CARD_OF_CUSTOMER_PATH, response, card)
        return self.customer_state(customer) + self.rules(customer, step, before)

    def _rule_failure(self, rule: str, customer: CustomerModel) -> Failure:
        evidence = self.last_customer
        assert evidence is not None
        return ValueMismatch.from_exchange(
            DEFAULT_SOURCE_RULES,
            f"{rule}: customer with {len(customer.live)} card(s) has default_source {customer.default!r}",
            response=evidence,
            json_path="$.default_source",
        )

