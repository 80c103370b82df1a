"""Listing a customer's cards: the list envelope, order, limit bounds, has_more and both cursors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conformance.checks import Verifier
from conformance.http import Response, StripeClient
from conformance.suite.cite import requires
from conformance.suite.objects import data_ids
from conformance.suite.timeline import Timeline

AddCard = Callable[..., dict[str, object]]


@requires(
    "card.list.envelope", "card.list.url", "card.list.newest-first", "card.list.cards-matches-sources",
    "card.list.limit-range", "card.list.limit-out-of-range", "card.list.has-more", "card.list.starting-after",
    "card.list.ending-before", "card.list.walk", "card.list.cursors-exclusive",
)
@pytest.mark.needs_feature("list_sources", "list_cards")
def test_list_envelope_order_limits_and_cursors(
    stripe_client: StripeClient, customer: str, add_card: AddCard, check: Verifier
) -> None:
    # Five cards serve every list check: the envelope and order first, then limits and cursors.
    timeline = Timeline()
    timeline.attach(add_card, customer)
    timeline.next_second()  # the first card is certainly older than the four after it, which may tie
    for _ in range(4):
        timeline.attach(add_card, customer)
    added = sorted(timeline.windows)
    sources = stripe_client.get(f"/v1/customers/{customer}/sources", {"object": "card"})
    cards = stripe_client.get(f"/v1/customers/{customer}/cards")
    with check.soft():
        for response, path in ((sources, "sources"), (cards, "cards")):
            check.status(response, 200, req="card.list.envelope")
            check.equal(response, "$.object", "list", req="card.list.envelope")
            check.equal(response, "$.has_more", False, req="card.list.envelope")
            body = response.json() if isinstance(response.json(), dict) else {}
            items = body.get("data") or [None]
            check.that(
                all(isinstance(item, dict) and item.get("object") == "card" for item in items),
                f"expected data to be an array of cards, got {str(body.get('data'))[:100]}",
                response,
                req="card.list.envelope",
                json_path="$.data",
            )
            check.equal(response, "$.url", f"/v1/customers/{customer}/{path}", req="card.list.url")
            listed = data_ids(response)
            wrong = timeline.order_violations(listed)
            check.that(not wrong, f"expected newest first: {'; '.join(wrong)}", response,
                       req="card.list.newest-first", json_path="$.data")
            check.equal(response, "$.data[*].id (as a set)", added, actual=sorted(map(str, listed)),
                        req="card.list.newest-first")
        check.equal(cards, "$.data[*].id", data_ids(sources), actual=data_ids(cards),
                    req="card.list.cards-matches-sources")
        check.equal(cards, "$.data", (sources.json() or {}).get("data"), req="card.list.cards-matches-sources")
    _limits_and_cursors(stripe_client, check, f"/v1/customers/{customer}/cards", cards, added)


def _limits_and_cursors(
    stripe_client: StripeClient, check: Verifier, path: str, whole: Response, added: list[str]
) -> None:
    """Check limits, has_more, both cursors and walks over ``path``'s five cards (``whole`` lists them all)."""
    # The target's own order (cards attached in one second may come in any order): each page is its
    # prefix, and it is what the cursors walk.
    check.status(whole, 200, req="card.list.walk")
    newest_first = data_ids(whole)
    check.equal(whole, "$.data[*].id (as a set)", added, actual=sorted(map(str, newest_first)), req="card.list.walk")
    with check.soft():
        check.equal(whole, "$.has_more", False, req="card.list.has-more")
        # 4 and 5 stand on each side of the count: has_more must turn false exactly at the last card.
        for limit in (1, 4, 5, 100):
            response = stripe_client.get(path, {"limit": limit})
            check.status(response, 200, req="card.list.limit-range")
            check.equal(response, "$.data[*].id", newest_first[:limit], actual=data_ids(response),
                        req="card.list.limit-range")
            check.equal(response, "$.has_more", limit < 5, req="card.list.has-more")
        for limit in (0, 101):
            refused = stripe_client.get(path, {"limit": limit})
            check.error(refused, status=400, param="limit", req="card.list.limit-out-of-range")
    c5, c4, c3, c2, c1 = newest_first
    with check.soft():
        after = stripe_client.get(path, {"limit": 2, "starting_after": c4})
        check.status(after, 200, req="card.list.starting-after")
        check.equal(after, "$.data[*].id", [c3, c2], actual=data_ids(after), req="card.list.starting-after")
        before = stripe_client.get(path, {"limit": 2, "ending_before": c2})
        check.status(before, 200, req="card.list.ending-before")
        check.equal(before, "$.data[*].id", [c4, c3], actual=data_ids(before), req="card.list.ending-before")
        both = stripe_client.get(path, {"starting_after": c4, "ending_before": c2})
        check.error(both, status=range(400, 500), req="card.list.cursors-exclusive")

    # Walking forward from the first page of two: its second page asks what ``after`` asked.
    seen = {(("limit", 2), ("starting_after", c4)): after}
    forward: list[object] = []
    params: dict[str, object] = {"limit": 2}
    for _ in range(len(newest_first) + 1):
        page = seen.get(tuple(params.items())) or stripe_client.get(path, params)
        check.status(page, 200, req="card.list.walk")
        forward += data_ids(page)
        if not page.json().get("has_more") or not data_ids(page):
            break
        params = {"limit": 2, "starting_after": data_ids(page)[-1]}
    check.equal(page, "$.data[*].id (walking forward)", newest_first, actual=forward, req="card.list.walk")

    backward: list[object] = []
    cursor = c1
    for _ in range(len(newest_first) + 1):
        page = stripe_client.get(path, {"limit": 2, "ending_before": cursor})
        check.status(page, 200, req="card.list.walk")
        ids = data_ids(page)
        if not ids:
            break
        backward = ids + backward
        if c5 in ids:
            break
        cursor = str(ids[0])
    check.equal(page, "$.data[*].id (walking backward)", newest_first[:-1], actual=backward, req="card.list.walk")
