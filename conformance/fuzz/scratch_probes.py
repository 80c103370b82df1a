"""Probes the operations fuzz makes on its scratch objects, so that rules are judged on every seed.

The state machine meets these rules only in the scenarios that draw them; the operations fuzz
makes each probe around a call it sends anyway, at any budget:

- an object an accepted delete removed is gone: a card deleted again is refused (seeds/004), a
  webhook endpoint read again is a 404;
- around an accepted card delete the customer's ``default_source`` names a live card, the one
  seeds/004's rules name ('Delete a card': the first card attached, then the one remaining);
- an update's ``metadata`` merges into the object's (seeds/004 'Update a card').
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import schemathesis

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.requirement_ids import (
    DEFAULT_SOURCE_LIVE,
    DEFAULT_SOURCE_RULES,
    DELETED_STAYS_DELETED,
    UPDATE_APPLIES,
    USE_AFTER_FREE,
)
from conformance.fuzz.updates import UpdateInvariants
from conformance.http.exchange import Response

if TYPE_CHECKING:
    from conformance.fuzz.session import FuzzSession
    from conformance.fuzz.stateless import Scratch

CARD_OF_CUSTOMER_PATHS = ("/v1/customers/{customer}/sources/{id}", "/v1/customers/{customer}/cards/{id}")
ATTACH_RULE = "the first card attached to a customer becomes its default and later cards keep it"
DELETE_OTHER_RULE = "deleting a card that is not the default keeps the default"
DELETE_DEFAULT_RULE = "deleting the default makes the most recently added remaining card the default"
MERGE_KEY = "fuzz_merged"


def deletes_card(case: schemathesis.Case[Any]) -> bool:
    """Tell whether ``case`` deletes a card of a customer."""
    return case.method.upper() == "DELETE" and case.path in CARD_OF_CUSTOMER_PATHS


def gone_after_delete(session: FuzzSession, path: str, *, method: str) -> list[Failure]:
    """An object an accepted delete removed is gone: calling ``method path`` again must not answer 200.

    A card is deleted again (``DELETE``, ``fuzz.deleted-stays-deleted``: seeds/004, a second delete is
    refused); a webhook endpoint is read again (``GET``, ``fuzz.use-after-free``: a 404).
    """
    requirement_id = DELETED_STAYS_DELETED if method == "DELETE" else USE_AFTER_FREE
    again = session.client.delete(path) if method == "DELETE" else session.client.get(path)
    session.observed.saw(requirement_id)
    if again.status != 200:
        return []
    message = f"{method} {path} after it was deleted answered HTTP 200, not 404"
    return [ValueMismatch.from_exchange(requirement_id, message, response=again)]


def default_follows(session: FuzzSession, scratch: Scratch, rule: str) -> list[Failure]:
    """The scratch customer's ``default_source`` is a live card, the one seeds/004's rules name (``scratch.default``).

    Read before and after every accepted delete of a scratch card: before, the attach rules have
    decided it; after, the delete rules. With two cards the delete rules leave one candidate, so
    equal ``created`` times never matter.
    """
    if scratch.customer_id is None:
        return []
    read = session.client.get(f"/v1/customers/{scratch.customer_id}")
    body = read.json()
    if read.status != 200 or not isinstance(body, dict):
        reason = f"retrieving the scratch customer around a card delete answered HTTP {read.status}"
        session.observed.missed(DEFAULT_SOURCE_RULES, reason)
        session.observed.missed(DEFAULT_SOURCE_LIVE, reason)
        return []
    session.observed.saw(DEFAULT_SOURCE_RULES)
    session.observed.saw(DEFAULT_SOURCE_LIVE)
    now = body.get("default_source")
    if now == scratch.default:
        return []
    if now is not None and now not in scratch.card_ids:
        message = f"default_source {now!r} is not one of the customer's cards {scratch.card_ids}"
        return [ValueMismatch.from_exchange(DEFAULT_SOURCE_LIVE, message, response=read, json_path="$.default_source")]
    message = f"{rule}: default_source is {now!r}, expected {scratch.default!r} (cards {scratch.card_ids})"
    return [ValueMismatch.from_exchange(DEFAULT_SOURCE_RULES, message, response=read, json_path="$.default_source")]


def _card_path(collection: str) -> Callable[[Scratch], str]:
    def path(scratch: Scratch) -> str:
        customer = scratch.customer()
        return f"/v1/customers/{customer}/{collection}/{scratch.card_ids[0]}"

    return path


MERGE_PROBED: dict[str, Callable[[Scratch], str]] = {
    "PostCustomersCustomer": lambda scratch: f"/v1/customers/{scratch.customer(cards=False)}",
    "PostCustomersCustomerSourcesId": _card_path("sources"),
    "PostCustomersCustomerCardsId": _card_path("cards"),
    "PostWebhookEndpointsWebhookEndpoint": lambda scratch: f"/v1/webhook_endpoints/{scratch.webhook()}",
}
"""Updates whose scratch object gets one metadata key more after the operation's examples: its path."""


def metadata_merges(session: FuzzSession, reads: dict[str, Response], path: str) -> list[Failure]:
    """An update's ``metadata`` merges into the object's: the keys it does not send stay (``fuzz.update-applies``).

    Metadata is updated key by key (seeds/004 'Update a card'; every update's ``metadata`` in the
    2023-08-16 spec: an empty value unsets one key). Sent once per update operation, after its
    examples, so the rule is judged on every seed at any budget: a generated example sends metadata
    only when drawn. The scratch object carries metadata of its own from its creation, so a replaced
    map shows. ``reads`` holds the last read of each scratch path, if still current.
    """
    before = reads.pop(path, None) or session.client.get(path)
    old = before.json().get("metadata") if isinstance(before.json(), dict) else None
    if before.status != 200 or not isinstance(old, dict) or not old:
        reason = f"reading {path} before merging metadata into it answered HTTP {before.status} with no metadata"
        session.observed.missed(UPDATE_APPLIES, reason)
        return []
    sent = {"metadata": {MERGE_KEY: "1"}}
    merged = session.client.post(path, sent)
    body = merged.json()
    if merged.status != 200 or not isinstance(body, dict):
        session.observed.missed(UPDATE_APPLIES, f"merging metadata into {path} answered HTTP {merged.status}")
        return []
    return UpdateInvariants(session.client, session.observed).metadata_merged(sent, body, before, merged)
