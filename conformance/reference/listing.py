"""Retrieve and newest-first list answers of the seed-000 objects, with the ``created`` range filter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from .errors import resource_missing
from .pagination import paginate, parse_page_request
from .params import reject_unknown

if TYPE_CHECKING:
    from .store import JsonObject, Store


class Listed(Protocol):
    """An object that can be listed: an id, a creation time and an insertion number."""

    @property
    def id(self) -> str: ...

    @property
    def created(self) -> int: ...

    @property
    def sequence(self) -> int: ...


L = TypeVar("L", bound=Listed)
T = TypeVar("T")

LIST_PARAMS = frozenset({"ending_before", "expand", "limit", "starting_after"})
"""The parameters every seed-000 list accepts (a list with filters adds its own)."""
RETRIEVE_PARAMS = frozenset({"expand"})


def sort_key(item: Listed) -> tuple[int, int]:
    """Newest-first key: creation time, then insertion order for equal times."""
    return (item.created, item.sequence)


def list_page(
    store: Store,
    items: Sequence[L],
    params: Mapping[str, object],
    *,
    url: str,
    noun: str,
    render: Callable[[L], JsonObject],
) -> JsonObject:
    """Answer one page of ``items`` newest first; the cursor must name one of ``items``."""
    page = parse_page_request(params)
    ordered = sorted(items, key=sort_key, reverse=True)
    cursor_key = None
    if page.cursor is not None:
        cursor = next((item for item in items if item.id == page.cursor), None)
        if cursor is None:
            raise resource_missing(f"No such {noun}: '{page.cursor}'", page.cursor_param, 400)
        cursor_key = sort_key(cursor)
    found, has_more = paginate(ordered, sort_key, page, cursor_key)
    return store.render_list([render(item) for item in found], has_more, url)


def within_created(created: int, bounds: Mapping[str, int]) -> bool:
    """Tell whether ``created`` meets every bound of a parsed ``created`` filter."""
    tests = {
        "eq": lambda limit: created == limit,
        "gt": lambda limit: created > limit,
        "gte": lambda limit: created >= limit,
        "lt": lambda limit: created < limit,
        "lte": lambda limit: created <= limit,
    }
    return all(tests[name](limit) for name, limit in bounds.items())


def retrieve_one(
    store: Store,
    items: Mapping[str, T],
    object_id: str,
    params: Mapping[str, object],
    *,
    noun: str,
    render: Callable[[T], JsonObject],
) -> JsonObject:
    """Answer a retrieve of ``items[object_id]``: only ``expand`` is accepted; an unknown id is a 404 on ``id``."""
    reject_unknown(params, RETRIEVE_PARAMS)
    store.parse_expand(params, "leaf")
    found = items.get(object_id)
    if found is None:
        raise resource_missing(f"No such {noun}: '{object_id}'", "id")
    return render(found)


def list_objects(
    store: Store,
    items: Sequence[L],
    params: Mapping[str, object],
    *,
    url: str,
    noun: str,
    render: Callable[[L], JsonObject],
    accepted: frozenset[str] = LIST_PARAMS,
) -> JsonObject:
    """Answer a list of ``items``: refuse parameters not ``accepted``, apply a ``created`` filter, page newest first."""
    reject_unknown(params, accepted)
    store.parse_expand(params, "empty_list")
    if "created" in params:
        bounds = store.parse_created_filter(params["created"])
        items = [item for item in items if within_created(item.created, bounds)]
    return list_page(store, items, params, url=url, noun=noun, render=render)
