"""Cursor pagination over newest-first lists, as Stripe's list endpoints do it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .errors import invalid_parameter, invalid_request, parameter_invalid_empty
from .params import as_integer, as_string

T = TypeVar("T")

DEFAULT_LIMIT = 10
MIN_LIMIT = 1
MAX_LIMIT = 100

SortKey = tuple[int, int]
"""Newest-first ordering key: ``(created, insertion sequence)``."""


@dataclass(frozen=True)
class PageRequest:
    """Validated ``limit``, ``starting_after`` and ``ending_before`` parameters."""

    limit: int = DEFAULT_LIMIT
    starting_after: str | None = None
    ending_before: str | None = None

    @property
    def cursor(self) -> str | None:
        """Return whichever cursor was given."""
        return self.starting_after or self.ending_before

    @property
    def cursor_param(self) -> str:
        """Return the name of the cursor parameter that was given."""
        return "starting_after" if self.starting_after else "ending_before"


def parse_page_request(params: Mapping[str, object]) -> PageRequest:
    """Validate the pagination parameters of a list request."""
    limit = DEFAULT_LIMIT
    if "limit" in params:
        limit = as_integer(params["limit"], "limit")
        if limit < MIN_LIMIT:
            raise invalid_parameter(f"This value must be greater than or equal to {MIN_LIMIT}.", "limit")
        if limit > MAX_LIMIT:
            raise invalid_parameter(f"This value must be less than or equal to {MAX_LIMIT}.", "limit")
    starting_after = _cursor(params, "starting_after")
    ending_before = _cursor(params, "ending_before")
    if starting_after and ending_before:
        raise invalid_request(
            "You may only specify one of these parameters: starting_after, ending_before.",
            code="parameters_exclusive",
            replayable=False,
        )
    return PageRequest(limit, starting_after, ending_before)


def _cursor(params: Mapping[str, object], name: str) -> str | None:
    """Read one cursor parameter."""
    if name not in params:
        return None
    value = as_string(params[name], name)
    if not value:
        raise parameter_invalid_empty(name)
    return value


def paginate(
    items: Sequence[T],
    sort_key: Callable[[T], SortKey],
    page: PageRequest,
    cursor_key: SortKey | None,
) -> tuple[list[T], bool]:
    """Return one page of newest-first ``items`` and whether more lie beyond it.

    ``starting_after`` gives the ``limit`` items just older than the cursor;
    ``ending_before`` gives the ``limit`` items just newer than it, still
    newest first.  ``has_more`` looks further in the direction of travel.
    """
    if cursor_key is None:
        candidates = list(items)
        return candidates[: page.limit], len(candidates) > page.limit
    if page.starting_after:
        older = [item for item in items if sort_key(item) < cursor_key]
        return older[: page.limit], len(older) > page.limit
    newer = [item for item in items if sort_key(item) > cursor_key]
    return newer[-page.limit :], len(newer) > page.limit
