"""Shared steps of the seed-000 API scenarios: route support, setup objects, list order and paging.

A scenario's first call to an API goes through :func:`require_route`: a target that answers the
collection route itself with a 404 (Stripe's "Unrecognized request URL", or a 404 that is not
Stripe's error envelope at all) does not serve the API, and the scenario raises ``Unsupported``
instead of failing. Objects a scenario only needs as setup are made by :func:`setup_object`; when
that fails the scenario raises ``Blocked`` with the failed exchange as evidence.

A collection such as ``/v1/webhook_endpoints`` is account-wide: while a scenario runs, other senders
(the other processes of a ``--concurrency`` run, other traffic on a shared test account) may add
objects to it. A scenario asserts only about objects it made itself: what it sends carries its
:func:`scenario_tag`, and :func:`added_ids` counts only the new objects its ``mine`` test recognises.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from conformance.checks import Blocked, Unsupported, Verifier
from conformance.checks.failures import StatusMismatch
from conformance.http import Response, StripeClient
from conformance.http.formencode import FormValue

UNRECOGNIZED_URL = "Unrecognized request URL"
MAX_PAGES = 12
"""Most pages a paging walk follows before it reports that the list does not end."""
PAGE_SIZE = 2
"""Objects per page of a paging walk: two still make every step follow a cursor, for half the requests of one."""
WALK_ATTEMPTS = 3
"""Walks a paging walk may start, when others delete its cursor object under it (see :func:`walk_pages`)."""
SCENARIO_TAG = "conformance_scenario"
"""Metadata key carrying the tag of the scenario that sent a create (beside the run's ``conformance_run``)."""


def _evidence(feature: str, response: Response) -> dict[str, Any]:
    return StatusMismatch.from_exchange(feature, f"HTTP {response.status}", response=response).to_dict()


def _error_message(response: Response) -> str | None:
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def require_route(response: Response, feature: str) -> None:
    """Raise ``Unsupported`` when ``response`` shows the target has no such route at all."""
    if response.status != 404:
        return
    message = _error_message(response)
    if message is None or message.startswith(UNRECOGNIZED_URL):
        shown = f"answered 404 {message!r}" if message else "answered 404 without Stripe's error envelope"
        raise Unsupported(
            feature,
            f"{response.request.method} {response.request.path} {shown}: the target does not serve this API",
            _evidence(feature, response),
        )


def setup_object(
    client: StripeClient, path: str, data: Mapping[str, FormValue], *, feature: str, precondition: str
) -> dict[str, Any]:
    """POST ``data`` to ``path`` as setup and return the object; Unsupported/Blocked when that fails."""
    response = client.post(path, data)
    require_route(response, feature)
    body = response.json()
    if response.status != 200 or not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise Blocked(
            precondition,
            f"setup POST {path} answered HTTP {response.status}, not an object with an id",
            _evidence(precondition, response),
        )
    return body


@contextmanager
def undone_at_exit(undo: Callable[[str], object]) -> Iterator[list[str]]:
    """Yield a list for the ids of objects a scenario makes; ``undo`` each of them when the block ends."""
    made: list[str] = []
    try:
        yield made
    finally:
        for object_id in made:
            undo(object_id)


def listed_ids(response: Response) -> list[object]:
    """Return the ids of a list body's ``data`` (empty when the body is not a list)."""
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return []
    return [item.get("id") if isinstance(item, dict) else item for item in data]


def scenario_tag(run_id: str, nodeid: str) -> str:
    """Return a tag naming one scenario of one run: the same for a rerun with the same seed (and its replay)."""
    return f"{run_id}-{hashlib.blake2s(nodeid.encode(), digest_size=5).hexdigest()}"


def tagged(tag: str) -> Callable[[Mapping[str, Any]], bool]:
    """Return a test recognising listed objects whose metadata carries ``tag`` under ``SCENARIO_TAG``."""

    def mine(item: Mapping[str, Any]) -> bool:
        metadata = item.get("metadata")
        return isinstance(metadata, dict) and metadata.get(SCENARIO_TAG) == tag

    return mine


def added_ids(before: Response, after: Response, mine: Callable[[Mapping[str, Any]], bool]) -> list[object]:
    """Return the ids listed in ``after``, not in ``before``, of objects ``mine`` recognises, in ``after``'s order.

    Others may add to an account-wide list between the two reads; only the scenario's own objects count.
    """
    earlier = listed_ids(before)
    body = after.json()
    data = body.get("data") if isinstance(body, dict) else None
    items = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    return [item.get("id") for item in items if item.get("id") not in earlier and mine(item)]


def check_newest_first(check: Verifier, response: Response, req: str) -> None:
    """Check a list page is ordered by ``created`` from newest to oldest (equal times in any order)."""
    body = response.json()
    data = body.get("data") if isinstance(body, dict) else None
    created = [item.get("created") for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    ordered = all(isinstance(c, int) for c in created) and all(a >= b for a, b in itertools.pairwise(created))
    check.that(ordered, f"expected $.data ordered by created, newest first; got created {created[:10]}",
               response, req, json_path="$.data[*].created")


def walk_pages(
    client: StripeClient,
    check: Verifier,
    path: str,
    req: str,
    params: Mapping[str, FormValue] | None = None,
    *,
    feature: str | None = None,
) -> list[object]:
    """Page through a list ``PAGE_SIZE`` at a time; check no id repeats and has_more ends the walk. Return the ids.

    With ``feature``, the first page also serves as the route probe (:func:`require_route`).

    On an account-wide list another sender may delete the object a walk uses as its cursor between
    two pages; the target then rightly refuses ``starting_after`` (Stripe answers that the object does
    not exist). When a page is refused and the cursor no longer retrieves (404), the walk starts over,
    at most ``WALK_ATTEMPTS`` times in all; a cursor that still exists must be accepted.
    """
    for attempt in range(1, WALK_ATTEMPTS + 1):
        walked = _walk_once(client, check, path, req, params, may_restart=attempt < WALK_ATTEMPTS, feature=feature)
        if walked is not None:
            return walked
    raise AssertionError("unreachable: the last attempt never restarts")


def _walk_once(
    client: StripeClient,
    check: Verifier,
    path: str,
    req: str,
    params: Mapping[str, FormValue] | None,
    *,
    may_restart: bool,
    feature: str | None = None,
) -> list[object] | None:
    """One walk of :func:`walk_pages`; None when its cursor vanished under it and it may start over."""
    seen: list[object] = []
    cursor: object = None
    for _ in range(MAX_PAGES):
        query: dict[str, FormValue] = {**(params or {}), "limit": PAGE_SIZE}
        if isinstance(cursor, str):
            query["starting_after"] = cursor
        page = client.get(path, query)
        if feature is not None and not seen:
            require_route(page, feature)
        if page.status != 200 and may_restart and isinstance(cursor, str) and _vanished(client, path, cursor):
            return None  # not the target's fault: someone else deleted the cursor object mid-walk
        check.status(page, 200, req)
        ids = listed_ids(page)
        too_many = f"expected at most {PAGE_SIZE} objects with limit={PAGE_SIZE}, got {len(ids)}"
        check.that(len(ids) <= PAGE_SIZE, too_many, page, req, json_path="$.data")
        check.that(not set(ids) & set(seen), f"expected each object once while paging, {ids} came again", page, req,
                   json_path="$.data[*].id")
        seen.extend(ids)
        body = page.json()
        has_more = body.get("has_more") if isinstance(body, dict) else None
        if has_more is not True:
            check.that(has_more is False, f"expected has_more true or false, got {has_more!r}", page, req,
                       json_path="$.has_more")
            return seen
        check.that(bool(ids), "has_more is true on a page with no object", page, req, json_path="$.has_more")
        cursor = ids[-1] if ids else None
    return seen


def _vanished(client: StripeClient, path: str, object_id: str) -> bool:
    """True when ``object_id`` of the collection ``path`` no longer retrieves (404)."""
    return client.get(f"{path}/{object_id}").status == 404


def check_list_holds(
    client: StripeClient, check: Verifier, path: str, made: Collection[object], req: str
) -> Response:
    """List ``path`` (limit=100) and check it answers, holds every id in ``made`` and is newest first.

    Failures are collected (a soft block); the page is returned for the caller's own checks.
    """
    listed = client.get(path, {"limit": 100})
    with check.soft():
        check.status(listed, 200, req)
        ids = listed_ids(listed)
        check.that(all(i in ids for i in made), f"expected {list(made)} in the list, got {ids[:10]}", listed, req)
        check_newest_first(check, listed, req)
    return listed


def check_paging_reaches(
    client: StripeClient, check: Verifier, path: str, made: Collection[object], req: str
) -> None:
    """Page through ``path`` (:func:`walk_pages`) and check the walk reaches every id in ``made``.

    A walk cut at ``MAX_PAGES`` proves nothing about the ids it did not reach.
    """
    walked = walk_pages(client, check, path, req)
    check.that(all(i in walked for i in made) or len(walked) >= MAX_PAGES * PAGE_SIZE,
               f"expected paging to reach {list(made)}", None, req)


def check_not_found(check: Verifier, response: Response, req: str) -> None:
    """Check a 404 ``resource_missing`` invalid_request_error."""
    check.error(response, status=404, code="resource_missing", req=req)
