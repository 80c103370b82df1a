"""Stateless rules shared by every part of the store: clock, ids, keys, versions, parameters."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Mapping, Sequence
from typing import TypeVar

from . import expansion, ids
from .metadata import MetadataUpdate, apply_metadata, parse_metadata
from .models import Card, Customer
from .pagination import PageRequest, SortKey, paginate, parse_page_request
from .params import reject_unknown
from .versions import CUSTOMER_LISTS_UNEMBEDDED, is_before

T = TypeVar("T", Card, Customer)

JsonObject = dict[str, object]

_API_KEY = re.compile(r"(?:sk|rk)_test_[A-Za-z0-9]+")


class Rules:
    """Overridable rules that need no stored state."""

    def new_customer_id(self) -> str:
        """Return a fresh customer id."""
        return ids.random_id("cus", 14)

    def new_card_id(self) -> str:
        """Return a fresh card id (``card_`` and 24 alphanumerics)."""
        return ids.random_id("card", 24)

    def new_request_id(self) -> str:
        """Return a fresh ``Request-Id``."""
        return ids.random_id("req", 14)

    def new_invoice_prefix(self) -> str:
        """Return a fresh customer invoice prefix."""
        return ids.invoice_prefix()

    def now(self) -> int:
        """Return the current Unix time in whole seconds."""
        return int(time.time())

    def today(self) -> datetime.date:
        """Return today's date in UTC, the reference for card expiry."""
        return datetime.datetime.fromtimestamp(self.now(), datetime.UTC).date()

    # -- authentication, versions and generic parameter rules ---------------------

    def is_valid_api_key(self, key: str) -> bool:
        """Tell whether ``key`` is an acceptable test-mode secret or restricted key."""
        return _API_KEY.fullmatch(key) is not None

    def embeds_customer_lists(self, version: str) -> bool:
        """Tell whether customers embed ``sources`` by default in this API version."""
        return is_before(version, CUSTOMER_LISTS_UNEMBEDDED)

    def reject_unknown_params(self, params: Mapping[str, object], allowed: frozenset[str], prefix: str = "") -> None:
        """Reject any parameter the endpoint does not accept."""
        reject_unknown(params, allowed, prefix)

    def parse_expand(self, params: Mapping[str, object], shape: str) -> list[str]:
        """Validate ``expand`` against what the response shape can expand."""
        return expansion.parse_expand(params, shape)

    def validate_metadata(self, value: object, param: str = "metadata") -> MetadataUpdate:
        """Validate a ``metadata`` parameter (types and per-key limits)."""
        return parse_metadata(value, param)

    def merge_metadata(
        self, current: Mapping[str, str], update: MetadataUpdate, param: str = "metadata"
    ) -> dict[str, str]:
        """Merge a metadata update key by key; ``""`` unsets a key, ``metadata=`` unsets all."""
        return apply_metadata(current, update, param)

    def parse_page_request(self, params: Mapping[str, object]) -> PageRequest:
        """Validate ``limit``, ``starting_after`` and ``ending_before``."""
        return parse_page_request(params)

    def paginate(self, items: Sequence[T], page: PageRequest, cursor_key: SortKey | None) -> tuple[list[T], bool]:
        """Cut one page out of a newest-first list and tell whether more lie beyond."""
        return paginate(items, sort_key, page, cursor_key)

    def ordered_sources(self, customer: Customer) -> list[Card]:
        """Return the customer's sources newest first."""
        return sorted(customer.sources.values(), key=sort_key, reverse=True)


def sort_key(item: Card | Customer) -> SortKey:
    """Order by creation time, then by insertion order."""
    return (item.created, item.sequence)
