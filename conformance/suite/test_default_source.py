"""The default_source rule: first card, later cards, the fallback on delete, explicit choice."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import default_source, delete_card
from conformance.suite.timeline import Timeline

AddCard = Callable[..., dict[str, object]]


@requires(
    "card.default.first-card", "card.default.later-cards-keep", "card.default.explicit-update",
    "card.default.explicit-survives", "card.default.unknown-source",
)
def test_first_card_becomes_default_and_stays(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    # One customer's default goes through each rule in turn, each judged from the default the step
    # before left: the first card, later cards, an explicit choice, deletions around it, an unknown id.
    first = add_card(customer)
    response = stripe_client.get(f"/v1/customers/{customer}")
    check.status(response, 200, req="card.default.first-card")
    check.equal(response, "$.default_source", first["id"], req="card.default.first-card")
    b = str(add_card(customer, "tok_mastercard")["id"])
    c = str(add_card(customer)["id"])
    again = stripe_client.get(f"/v1/customers/{customer}")
    check.status(again, 200, req="card.default.later-cards-keep")
    check.equal(again, "$.default_source", first["id"], req="card.default.later-cards-keep")

    chosen = stripe_client.post(f"/v1/customers/{customer}", {"default_source": b})
    check.status(chosen, 200, req="card.default.explicit-update")
    check.equal(chosen, "$.default_source", b, req="card.default.explicit-update")
    check.equal(chosen, "$.default_source", b, req="card.default.explicit-update",
                actual=default_source(stripe_client, customer))
    add_card(customer)
    delete_card(stripe_client, customer, c)
    delete_card(stripe_client, customer, str(first["id"]))
    survived = stripe_client.get(f"/v1/customers/{customer}")
    check.status(survived, 200, req="card.default.explicit-survives")
    check.equal(survived, "$.default_source", b, req="card.default.explicit-survives")

    # The default now known, an unknown source offered in its place must leave it as it is.
    response = stripe_client.post(f"/v1/customers/{customer}", {"default_source": "card_doesnotexist0042"})
    check.error(response, status=(400, 404), req="card.default.unknown-source")
    check.equal(response, "$.default_source", b, actual=default_source(stripe_client, customer),
                req="card.default.unknown-source")


# Cards a, b, c, d are added in that order (a becomes the default), d at least a second after the
# others: d is certainly the newest, while a, b and c may share a creation second. Each order deletes
# them all; when the default goes, the new one must be a remaining card no other remaining card is
# certainly newer than (among cards of the same second, the target may pick any).
DELETION_ORDERS = {
    "default-first": "adcb",
    "newest-then-default": "dabc",
    "middle-first": "bcad",
}


@requires("card.default.fallback-most-recent", "card.default.delete-non-default", "card.default.last-deleted-null")
@pytest.mark.parametrize("order", list(DELETION_ORDERS.values()), ids=list(DELETION_ORDERS))
def test_default_after_each_deletion(
    order: str, stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    timeline = Timeline()
    cards = {name: timeline.attach(add_card, customer) for name in "abc"}
    timeline.next_second()
    cards["d"] = timeline.attach(add_card, customer)
    remaining = list("abcd")
    current: str | None = cards["a"]
    for name in order:
        was_default = cards[name] == current
        remaining.remove(name)
        delete_card(stripe_client, customer, cards[name])
        response = stripe_client.get(f"/v1/customers/{customer}")
        if not was_default:
            requirement = "card.default.delete-non-default"
            check.status(response, 200, req=requirement)
            check.equal(response, "$.default_source", current, req=requirement)
        elif remaining:
            requirement = "card.default.fallback-most-recent"
            check.status(response, 200, req=requirement)
            allowed = timeline.newest([cards[n] for n in remaining])
            current = response.json().get("default_source")
            check.that(
                current in allowed,
                f"after deleting the default {cards[name]}, expected default_source to be the most recently added "
                f"remaining card ({' or '.join(sorted(allowed))}), got {current!r}",
                response,
                req=requirement,
                json_path="$.default_source",
            )
        else:
            requirement = "card.default.last-deleted-null"
            check.status(response, 200, req=requirement)
            check.equal(response, "$.default_source", None, req=requirement)
    if "card.default.delete-non-default" not in check.passed:
        # Each deletion of this order removes the default: the rule is judged by the other orders.
        reason = f"the deletion order {order} never deletes a card that is not the default"
        check.not_assessed("card.default.delete-non-default", reason)
