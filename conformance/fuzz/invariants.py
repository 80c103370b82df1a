"""Invariants the state machine checks after every step, with probes of its own.

- The customer's ``default_source`` is one of its live cards, or null (seeds/004 'Delete a card').
- The default source follows seeds/004's rules: the first card becomes it, later cards leave it,
  deleting another card leaves it, deleting it picks the most recently added remaining card, an
  explicit ``default_source`` update sets it.
- A card this scenario deleted never reappears in the customer's card list, and a second delete
  of it is refused.
- A list's ``has_more`` and cursors agree: walking pages with ``starting_after`` yields the
  full list once, in order, ``has_more`` only when another page follows; ``ending_before`` pages back.
- An update answers the values it was sent, and its answer equals a retrieve right after.
- A webhook endpoint's ``secret`` appears in the answer to create, and nowhere else.
- An object just created (webhook endpoint, onramp session, forwarding request) reads back by id
  as it was answered, its create-only ``secret`` aside (seeds/000 retrieve endpoints).
- A forwarding request sent twice with one new Idempotency-Key is forwarded once: both answers
  name the same request (seeds/000 'Forwarding Request').
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.attach import attach_card
from conformance.fuzz.model import AccountModel, CustomerModel
from conformance.fuzz.requirement_ids import (
    CREATE_READ_BACK,
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    FORWARDING_ONCE_PER_KEY,
    LIST_CONTRACT,
    OTHER_CUSTOMERS_CARD,
    REFUSED_CHANGES_NOTHING,
    UPDATE_APPLIES,
    UPDATE_READ_BACK,
    WEBHOOK_SECRET,
)
from conformance.http import StripeClient
from conformance.http.exchange import Response

PAGE_SIZE = 2
FULL_PAGE = 100
UPDATE_PATHS = (
    "/v1/customers/{customer}",
    "/v1/customers/{customer}/sources/{id}",
    "/v1/customers/{customer}/cards/{id}",
    "/v1/webhook_endpoints/{webhook_endpoint}",
)
CREATE_PATHS = ("/v1/webhook_endpoints", "/v1/crypto/onramp_sessions", "/v1/forwarding/requests")
"""Collections whose created objects must read back by id (``<path>/<id>``)."""
CREATE_ONLY_FIELDS = frozenset({"secret"})
"""Fields Stripe documents as answered by create only."""
FORWARDING_PATH = "/v1/forwarding/requests"


class Invariants:
    """Probe the target after a step and compare with the scenario's model."""

    def __init__(self, client: StripeClient, model: AccountModel) -> None:
        """Probe through ``client``; compare with ``model``."""
        self.client = client
        self.model = model
        self.last_customer: Response | None = None
        """The last retrieve of a customer the probes made (evidence for default-source rules)."""

    def after_step(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """Return the invariant failures after ``case`` was answered with ``response``."""
        failures = self.webhook_secret(case, response)
        failures += self.create_read_back(case, response)
        failures += self.forwarding_once_per_key(case, response)
        failures += self.update_applies(case, response)
        failures += self.update_read_back(case, response)
        customer = self.model.customer_of(case, response)
        # A read changes nothing: the state probed after the last change still holds, and probing
        # again would only spend requests (the read's own answer is judged by the checks).
        if case.method.upper() == "GET":
            return failures
        if customer is not None and not customer.gone:
            before = customer.default
            step = _Step(case, response)
            failures += self.customer_state(customer, replacing=step.replaces_default)
            failures += self.default_rules(customer, step, before)
            failures += self.second_delete(customer, step)
        return failures

    # -- cards and default source -----------------------------------------------------------

    def customer_state(self, customer: CustomerModel, *, replacing: bool = False) -> list[Failure]:
        """Check the customer's card list and default source against the model."""
        listed, failures = self.walk(f"/v1/customers/{customer.id}/sources")
        if listed is None:
            return failures
        self.model.relist(customer, listed.ids, replacing=replacing)
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
        retrieved = self.client.get(f"/v1/customers/{customer.id}")
        body = retrieved.json()
        if retrieved.status != 200 or not isinstance(body, dict):
            return failures
        default = body.get("default_source")
        customer.default = default if isinstance(default, str) else None
        self.last_customer = retrieved
        if default is not None and default not in listed.ids:
            failures.append(
                ValueMismatch.from_exchange(
                    DEFAULT_SOURCE_LIVE,
                    f"default_source {default!r} is not one of the customer's cards {listed.ids}",
                    response=retrieved,
                    json_path="$.default_source",
                )
            )
        return failures

    def default_rules(self, customer: CustomerModel, step: _Step, before: str | None) -> list[Failure]:
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
            else:
                expected = customer.newest_live()
                rule = "deleting the default makes the most recently added remaining card the default"
        elif step.sets_default is not None:
            expected, rule = step.sets_default, "updating default_source makes that card the default"
        if expected is _ANY or now == expected:
            return []
        return [
            ValueMismatch.from_exchange(
                DEFAULT_SOURCE_RULES,
                f"{rule}: default_source was {before!r}, is {now!r} after {step.label}, expected {expected!r}",
                response=self.last_customer,
                json_path="$.default_source",
            )
        ]

    def second_delete(self, customer: CustomerModel, step: _Step) -> list[Failure]:
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

    def default_exercise(self, customer: CustomerModel) -> list[Failure]:
        """Walk a customer with cards through seeds/004's rules, stopping at the first broken one.

        Attach three more cards (the default stays); update the newest card's metadata (merged key
        by key) and send it a refused update (nothing changes); read it under another customer
        (404); delete the oldest card that is not the default (the default stays), delete it again
        (refused); delete the default (the most recently added remaining card becomes it); make
        the oldest remaining card the default explicitly.
        """
        state = self.customer_state(customer)
        if state:
            return state
        if customer.default is None:
            return [self._rule_failure("the first card attached to a customer becomes its default", customer)]
        attach = f"/v1/customers/{customer.id}/sources"
        for _ in range(3):
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
            again = self.client.delete(f"{attach}/{others[0]}")
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
        chosen = self.client.post(f"/v1/customers/{customer.id}", {"default_source": oldest})
        step = _Step.made("POST", "/v1/customers/{customer}", chosen, "", {"default_source": oldest})
        return self.customer_state(customer) + self.default_rules(customer, step, before)

    def _card_updates(self, customer: CustomerModel, card_path: str) -> list[Failure]:
        """Merge metadata into a card, send it a refused update, read it under another customer."""
        before = self.client.get(card_path)
        if before.status != 200 or not isinstance(before.json(), dict):
            return []
        old = before.json().get("metadata") or {}
        merged = self.client.post(card_path, {"metadata": {"fuzz_added": "1"}})
        expected = {**old, "fuzz_added": "1"}
        if merged.status == 200 and merged.json().get("metadata") != expected:
            message = f"metadata {old!r} updated with {{'fuzz_added': '1'}} answered {merged.json().get('metadata')!r}"
            return [ValueMismatch.from_exchange(UPDATE_APPLIES, message, response=merged, json_path="$.metadata")]
        current = self.client.get(card_path)
        refused = self.client.post(card_path, {"name": "refused update", "exp_month": 13})
        after = self.client.get(card_path)
        if 400 <= refused.status < 500 and current.status == after.status == 200 and current.json() != after.json():
            message = "an update refused for exp_month=13 still changed the card (its name was sent alongside)"
            return [ValueMismatch.from_exchange(REFUSED_CHANGES_NOTHING, message, response=after)]
        other = self.client.post("/v1/customers", {"description": "stripe-conformance fuzz: second customer"})
        if other.status != 200 or not isinstance(other.json(), dict):
            return []
        stranger = str(other.json()["id"])
        self.model.customers.setdefault(stranger, CustomerModel(stranger))
        card = card_path.rsplit("/", 1)[1]
        foreign = self.client.get(f"/v1/customers/{stranger}/sources/{card}")
        if foreign.status == 200:
            message = f"card {card} of customer {customer.id} was read under another customer {stranger}"
            return [ValueMismatch.from_exchange(OTHER_CUSTOMERS_CARD, message, response=foreign)]
        return []

    def _exercise_step(self, customer: CustomerModel, method: str, path: str, card: str) -> list[Failure]:
        before = customer.default
        if method == "POST":
            response = attach_card(self.client, customer.id, "tok_mastercard", {"origin": "exercise"})
            body = response.json()
            if response.status != 200 or not isinstance(body, dict):
                return []
            self.model.saw_card(customer, body.get("id"))
            step = _Step.made("POST", "/v1/customers/{customer}/sources", response, "")
        else:
            response = self.client.delete(path)
            if response.status != 200:
                return []
            customer.deleted.add(card)
            step = _Step.made("DELETE", "/v1/customers/{customer}/sources/{id}", response, card)
        return self.customer_state(customer) + self.default_rules(customer, step, before)

    def _rule_failure(self, rule: str, customer: CustomerModel) -> Failure:
        evidence = self.last_customer
        assert evidence is not None
        return ValueMismatch.from_exchange(
            DEFAULT_SOURCE_RULES,
            f"{rule}: customer with {len(customer.live)} card(s) has default_source {customer.default!r}",
            response=evidence,
            json_path="$.default_source",
        )

    # -- lists ----------------------------------------------------------------------------------

    def walk(self, path: str) -> tuple[Listing | None, list[Failure]]:
        """Read a list whole, then page through it; return the listing and contract failures."""
        full = self.client.get(path, {"limit": FULL_PAGE})
        body = full.json()
        if full.status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
            return None, []
        ids = [str(item.get("id")) for item in body["data"] if isinstance(item, dict)]
        listing = Listing(full, ids)
        failures: list[Failure] = []

        def fail(message: str, response: Response) -> None:
            failures.append(ValueMismatch.from_exchange(LIST_CONTRACT, message, response=response, json_path="$"))

        if len(ids) < FULL_PAGE and body.get("has_more") is not False:
            fail(f"a list of {len(ids)} items with limit={FULL_PAGE} answered has_more={body.get('has_more')!r}", full)
        if len(set(ids)) != len(ids):
            fail(f"the list repeats items: {ids}", full)
        walked: list[str] = []
        cursor: str | None = None
        for _ in range(len(ids) // PAGE_SIZE + 2):
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor is not None:
                params["starting_after"] = cursor
            page = self.client.get(path, params)
            data = page.json().get("data") if isinstance(page.json(), dict) else None
            if page.status != 200 or not isinstance(data, list):
                fail(f"paging with {params} answered HTTP {page.status}", page)
                return listing, failures
            page_ids = [str(item.get("id")) for item in data if isinstance(item, dict)]
            if cursor is not None and not page_ids:
                fail(f"the page before, ending at {cursor}, answered has_more=true but this one is empty", page)
                return listing, failures
            walked += page_ids
            has_more = page.json().get("has_more")
            if has_more and len(page_ids) < PAGE_SIZE:
                fail(f"a page of {len(page_ids)} items (limit {PAGE_SIZE}) answered has_more=true", page)
                return listing, failures
            if not has_more:
                break
            cursor = page_ids[-1]
        if walked != ids:
            fail(f"paging with limit={PAGE_SIZE} and starting_after yielded {walked}, the whole list is {ids}", full)
        elif len(ids) > 1:
            failures += self._page_back(path, ids)
            both = self.client.get(path, {"starting_after": ids[0], "ending_before": ids[-1]})
            if both.status == 200:
                fail("a list accepted starting_after and ending_before together", both)
        return listing, failures

    def _page_back(self, path: str, ids: list[str]) -> list[Failure]:
        back = self.client.get(path, {"limit": PAGE_SIZE, "ending_before": ids[-1]})
        data = back.json().get("data") if isinstance(back.json(), dict) else None
        expected = ids[-1 - PAGE_SIZE : -1] if len(ids) > PAGE_SIZE else ids[:-1]
        got = [str(item.get("id")) for item in data if isinstance(item, dict)] if isinstance(data, list) else None
        if back.status == 200 and got != expected:
            message = f"ending_before={ids[-1]} with limit={PAGE_SIZE} answered {got}, expected {expected}"
            return [ValueMismatch.from_exchange(LIST_CONTRACT, message, response=back, json_path="$.data")]
        return []

    # -- updates and webhook secrets --------------------------------------------------------------

    def update_applies(
        self, case: schemathesis.Case[Any], response: Response, before: Response | None = None
    ) -> list[Failure]:
        """An accepted update answers the plain values it was sent (an empty string unsets to null).

        With the object as it read ``before`` the update, its metadata must be the old metadata
        merged key by key with the sent one (seeds/004: an empty value unsets a key, an empty
        ``metadata`` unsets all).
        """
        if case.method.upper() != "POST" or case.path not in UPDATE_PATHS or response.status != 200:
            return []
        sent, answered = case.body, response.json()
        if not isinstance(sent, dict) or not isinstance(answered, dict):
            return []
        failures = self._metadata_merged(sent, answered, before, response)
        if case.path == UPDATE_PATHS[3]:
            return failures
        fields = APPLIED_CUSTOMER_FIELDS if case.path == UPDATE_PATHS[0] else APPLIED_CARD_FIELDS
        if case.path == UPDATE_PATHS[0] and "source" in sent:
            fields = fields - {"default_source"}
        wrong = [
            f"{name}: sent {sent[name]!r}, answered {answered.get(name)!r}"
            for name in sorted(fields & set(sent))
            if not _same_value(sent[name], answered.get(name))
        ]
        if not wrong:
            return failures
        return [
            *failures,
            ValueMismatch.from_exchange(
                UPDATE_APPLIES,
                "the update answered other values than it was sent: " + "; ".join(wrong[:3]),
                response=response,
                json_path=f"$.{sorted(fields & set(sent))[0]}",
            ),
        ]

    @staticmethod
    def _metadata_merged(
        sent: dict[str, Any], answered: dict[str, Any], before: Response | None, response: Response
    ) -> list[Failure]:
        old = before.json() if before is not None and before.status == 200 else None
        if not isinstance(old, dict) or not isinstance(old.get("metadata"), dict):
            return []
        expected = dict(old["metadata"])
        update = sent.get("metadata", _ABSENT)
        if update in ("", {}):
            expected = {}  # sent as ``metadata=``: unset every key
        elif isinstance(update, dict):
            for key, value in update.items():
                if value == "":
                    expected.pop(key, None)
                elif isinstance(value, str):
                    expected[key] = value
        elif update is not _ABSENT:
            return []
        if answered.get("metadata") == expected:
            return []
        return [
            ValueMismatch.from_exchange(
                UPDATE_APPLIES,
                f"metadata {old['metadata']!r} updated with {update!r} answered {answered.get('metadata')!r}, "
                f"expected {expected!r} (keys merge one by one)",
                response=response,
                json_path="$.metadata",
            )
        ]

    def update_read_back(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """After a successful update, a retrieve must answer the same object."""
        if case.method.upper() != "POST" or case.path not in UPDATE_PATHS or response.status != 200:
            return []
        expand = case.body.get("expand") if isinstance(case.body, dict) else None
        params = {"expand": expand} if isinstance(expand, list) and expand else None
        retrieved = self.client.get(unquote(case.formatted_path), params)
        if retrieved.status != 200:
            return [
                ValueMismatch.from_exchange(
                    UPDATE_READ_BACK, f"retrieving the object just updated answered HTTP {retrieved.status}",
                    response=retrieved,
                )
            ]
        updated, read = response.json(), retrieved.json()
        if updated == read:
            return []
        differing = sorted(
            key for key in set(updated) | set(read) if updated.get(key, _ABSENT) != read.get(key, _ABSENT)
        ) if isinstance(updated, dict) and isinstance(read, dict) else ["$"]
        shown = ", ".join(
            f"{key}: update {_brief(updated, key)} vs retrieve {_brief(read, key)}" for key in differing[:3]
        )
        return [
            ValueMismatch.from_exchange(
                UPDATE_READ_BACK,
                f"the update's answer differs from a retrieve right after ({shown})",
                response=retrieved,
                json_path=f"$.{differing[0]}" if differing[0] != "$" else "$",
            )
        ]

    def refused_changes_nothing(self, case: schemathesis.Case[Any], before: Response) -> list[Failure]:
        """After a refused update, the object reads exactly as it did before the request."""
        if before.status != 200:
            return []
        after = self.client.get(unquote(case.formatted_path))
        if after.status != 200 or after.json() == before.json():
            return []
        old, new = before.json(), after.json()
        changed = sorted(key for key in set(old) | set(new) if old.get(key, _ABSENT) != new.get(key, _ABSENT))
        shown = ", ".join(f"{key}: {_brief(old, key)} -> {_brief(new, key)}" for key in changed[:3])
        return [
            ValueMismatch.from_exchange(
                REFUSED_CHANGES_NOTHING,
                f"a refused update changed the object ({shown})",
                response=after,
                json_path=f"$.{changed[0]}" if changed else "$",
            )
        ]

    def webhook_secret(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """The signing secret is in the answer to create, and only there."""
        if not case.path.startswith("/v1/webhook_endpoints") or response.status != 200:
            return []
        body = response.json()
        items = body.get("data") if isinstance(body, dict) and body.get("object") == "list" else [body]
        creating = case.method.upper() == "POST" and case.path == "/v1/webhook_endpoints"
        if creating:
            if isinstance(body, dict) and not (isinstance(body.get("secret"), str) and body["secret"]):
                return [_secret_failure("the answer to creating a webhook endpoint has no secret", response)]
            return []
        leaking = [
            item.get("id") for item in items or [] if isinstance(item, dict) and item.get("secret") not in (None,)
        ]
        if leaking and not (isinstance(body, dict) and body.get("deleted") is True):
            return [_secret_failure(f"the secret of {leaking} appears outside the answer to create", response)]
        return []

    # -- creates of the seed-000 objects ------------------------------------------------------------

    def create_read_back(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """An object just created reads back by id as the create answered it (create-only fields aside)."""
        if case.method.upper() != "POST" or case.path not in CREATE_PATHS or response.status != 200:
            return []
        created = response.json()
        object_id = created.get("id") if isinstance(created, dict) else None
        if not isinstance(object_id, str):
            return [ValueMismatch.from_exchange(CREATE_READ_BACK, "the answer to a create carries no id",
                                                response=response, json_path="$.id")]
        retrieved = self.client.get(f"{case.path}/{object_id}")
        read = retrieved.json()
        if retrieved.status != 200 or not isinstance(read, dict):
            return [ValueMismatch.from_exchange(
                CREATE_READ_BACK, f"retrieving the object just created answered HTTP {retrieved.status}",
                response=retrieved)]
        differing = sorted(
            key for key in (set(created) | set(read)) - CREATE_ONLY_FIELDS
            if created.get(key, _ABSENT) != read.get(key, _ABSENT)
        )
        if not differing:
            return []
        shown = ", ".join(f"{key}: create {_brief(created, key)} vs retrieve {_brief(read, key)}"
                          for key in differing[:3])
        return [ValueMismatch.from_exchange(
            CREATE_READ_BACK, f"the created object reads back differently ({shown})", response=retrieved,
            json_path=f"$.{differing[0]}")]

    def forwarding_once_per_key(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """Re-send an accepted forwarding request twice under one new key: one request, one id."""
        if case.method.upper() != "POST" or case.path != FORWARDING_PATH or response.status != 200:
            return []
        body = case.body if isinstance(case.body, dict) else {}
        key = f"sc-fwd-{uuid.uuid4().hex}"
        first = self.client.post(FORWARDING_PATH, body, idempotency_key=key)
        again = self.client.post(FORWARDING_PATH, body, idempotency_key=key)
        ids = [r.json().get("id") if isinstance(r.json(), dict) else None for r in (first, again)]
        if first.status == again.status == 200 and ids[0] is not None and ids[0] == ids[1]:
            return []
        return [ValueMismatch.from_exchange(
            FORWARDING_ONCE_PER_KEY,
            f"two sends under one Idempotency-Key answered HTTP {first.status} / {again.status} with ids "
            f"{ids[0]!r} / {ids[1]!r}, not one forwarding request", response=again, json_path="$.id")]


APPLIED_CARD_FIELDS = frozenset(
    {"address_city", "address_country", "address_line1", "address_line2", "address_state", "address_zip",
     "exp_month", "exp_year", "name"}
)
APPLIED_CUSTOMER_FIELDS = frozenset({"balance", "default_source", "description", "email", "name", "phone"})


def _same_value(sent: Any, answered: Any) -> bool:
    """Compare a sent form value with the answered one: "" reads as null, text ignores edge spaces.

    An expanded answer (``expand[]=default_source``) is compared by its ``id``.
    """
    if isinstance(answered, dict) and "id" in answered:
        answered = answered["id"]
    if sent == "" or sent is None:
        return answered is None
    if isinstance(sent, str) and isinstance(answered, str):
        return sent.strip() == answered.strip()
    return bool(sent == answered)


class _Step:
    """What a call did, for the default-source rules."""

    def __init__(self, case: schemathesis.Case[Any], response: Response) -> None:
        body = case.body if isinstance(case.body, dict) else {}
        card = unquote(str((case.path_parameters or {}).get("id", "")))
        self._set(case.method.upper(), case.path, response, card, body)

    @classmethod
    def made(
        cls, method: str, path: str, response: Response, card: str, body: dict[str, Any] | None = None
    ) -> _Step:
        """Describe a call the machine made itself (no generated case)."""
        step = cls.__new__(cls)
        step._set(method, path, response, card, body or {})
        return step

    def _set(self, method: str, path: str, response: Response, card: str, body: dict[str, Any]) -> None:
        self.response = response
        ok = response.status == 200
        self.label = f"{method} {path}"
        self.attaches_card = ok and method == "POST" and path.endswith(("/sources", "/cards"))
        self.deletes_card = ok and method == "DELETE" and path.endswith("/{id}")
        self.card = card
        updating = ok and method == "POST" and path == "/v1/customers/{customer}"
        self.replaces_default = updating and "source" in body
        chosen = body.get("default_source")
        self.sets_default = chosen if updating and isinstance(chosen, str) and "source" not in body else None


_ANY = object()


class Listing:
    """A whole list as read with ``limit=100``: the answer and its ids in order."""

    def __init__(self, full: Response, ids: list[str]) -> None:
        """Keep the answer and its ids."""
        self.full = full
        self.ids = ids


_ABSENT = object()


def _brief(body: Any, key: str) -> str:
    value = body.get(key, "<absent>") if isinstance(body, dict) else body
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _secret_failure(message: str, response: Response) -> Failure:
    # The body holds a secret: keep the evidence, but the message never repeats the value.
    return ValueMismatch.from_exchange(WEBHOOK_SECRET, message, response=response, json_path="$.secret")


RuleCheck = Callable[[CustomerModel], list[Failure]]
