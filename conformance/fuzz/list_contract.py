"""The list contract, probed by walking a whole list: ``has_more`` and both cursors agree with the items.

Walking pages with ``starting_after`` yields the full list once, in order, ``has_more`` only when
another page follows; ``ending_before`` pages back; the two cursors are not accepted together.

Every read of a whole list is judged (``has_more``, no repeated item); the page walk is spent once
per list length: how a list pages (which pages are full, where the cursors fall) depends on its
length, so walking a list of a length already walked would repeat the same probes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.checks import Failure, ValueMismatch
from conformance.fuzz.observations import Observations
from conformance.fuzz.requirement_ids import LIST_CONTRACT
from conformance.http import StripeClient
from conformance.http.exchange import Response

PAGE_SIZE = 2
"""The page size of the walk (small, so that short lists still span pages)."""
FULL_PAGE = 100
"""The largest ``limit`` Stripe documents: one read of a short list returns all of it."""


@dataclass(frozen=True)
class Listing:
    """A whole list as read with ``limit=100``: the answer and its ids in order."""

    full: Response
    ids: list[str]


class ListContract:
    """Read lists whole and page by page; judge the list contract on what they answer."""

    def __init__(self, client: StripeClient, observations: Observations) -> None:
        """Probe through ``client``; count what is judged in ``observations``."""
        self.client = client
        self.observations = observations
        self.last_status: int | None = None
        """The HTTP status of the last whole-list read."""
        self.walked: set[int] = set()
        """The list lengths whose pages were walked (a walk that failed the contract is not counted)."""

    def walk(self, path: str) -> tuple[Listing | None, list[Failure]]:
        """Read a list whole, then page through it; return the listing (None if refused) and contract failures."""
        full = self.client.get(path, {"limit": FULL_PAGE})
        self.last_status = full.status
        body = full.json()
        if full.status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), list):
            reason = f"reading {path} with limit={FULL_PAGE} answered HTTP {full.status}"
            self.observations.missed(LIST_CONTRACT, reason)
            return None, []
        self.observations.saw(LIST_CONTRACT)
        ids = [str(item.get("id")) for item in body["data"] if isinstance(item, dict)]
        listing = Listing(full, ids)
        failures: list[Failure] = []

        def fail(message: str, response: Response) -> None:
            failures.append(ValueMismatch.from_exchange(LIST_CONTRACT, message, response=response, json_path="$"))

        if len(ids) < FULL_PAGE and body.get("has_more") is not False:
            fail(f"a list of {len(ids)} items with limit={FULL_PAGE} answered has_more={body.get('has_more')!r}", full)
        if len(set(ids)) != len(ids):
            fail(f"the list repeats items: {ids}", full)
        if len(ids) in self.walked:
            return listing, failures
        walked = self._walk_forward(path, ids, fail)
        if walked is None:
            return listing, failures
        if walked != ids:
            fail(f"paging with limit={PAGE_SIZE} and starting_after yielded {walked}, the whole list is {ids}", full)
        elif len(ids) > 1:
            failures += self._page_back(path, ids)
            both = self.client.get(path, {"starting_after": ids[0], "ending_before": ids[-1]})
            self.observations.saw(LIST_CONTRACT)
            if both.status == 200:
                fail("a list accepted starting_after and ending_before together", both)
        if not failures:
            self.walked.add(len(ids))
        return listing, failures

    def _walk_forward(self, path: str, ids: list[str], fail: Callable[[str, Response], None]) -> list[str] | None:
        """Page forward with ``starting_after``; return the ids walked, or None after a contract failure."""
        walked: list[str] = []
        cursor: str | None = None
        for _ in range(len(ids) // PAGE_SIZE + 2):
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if cursor is not None:
                params["starting_after"] = cursor
            page = self.client.get(path, params)
            self.observations.saw(LIST_CONTRACT)
            data = page.json().get("data") if isinstance(page.json(), dict) else None
            if page.status != 200 or not isinstance(data, list):
                fail(f"paging with {params} answered HTTP {page.status}", page)
                return None
            page_ids = [str(item.get("id")) for item in data if isinstance(item, dict)]
            if cursor is not None and not page_ids:
                fail(f"the page before, ending at {cursor}, answered has_more=true but this one is empty", page)
                return None
            walked += page_ids
            has_more = page.json().get("has_more")
            if has_more and len(page_ids) < PAGE_SIZE:
                fail(f"a page of {len(page_ids)} items (limit {PAGE_SIZE}) answered has_more=true", page)
                return None
            if not has_more:
                break
            cursor = page_ids[-1]
        return walked

    def _page_back(self, path: str, ids: list[str]) -> list[Failure]:
        back = self.client.get(path, {"limit": PAGE_SIZE, "ending_before": ids[-1]})
        if back.status != 200:
            reason = f"paging back with ending_before on {path} answered HTTP {back.status}"
            self.observations.missed(LIST_CONTRACT, reason)
            return []
        self.observations.saw(LIST_CONTRACT)
        data = back.json().get("data") if isinstance(back.json(), dict) else None
        expected = ids[-1 - PAGE_SIZE : -1] if len(ids) > PAGE_SIZE else ids[:-1]
        got = [str(item.get("id")) for item in data if isinstance(item, dict)] if isinstance(data, list) else None
        if got != expected:
            message = f"ending_before={ids[-1]} with limit={PAGE_SIZE} answered {got}, expected {expected}"
            return [ValueMismatch.from_exchange(LIST_CONTRACT, message, response=back, json_path="$.data")]
        return []
