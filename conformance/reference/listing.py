"""Newest-first list pages of the seed-000 objects, with the ``created`` range filter."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from .errors import resource_missing
from .pagination import paginate, parse_page_request

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
