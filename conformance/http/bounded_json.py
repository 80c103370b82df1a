"""JSON parsing with a nesting limit: an answer nested deeper is evidence, never a RecursionError."""

from __future__ import annotations

import json
from typing import Any

MAX_JSON_DEPTH = 200
"""Deepest nesting of arrays and objects accepted; Stripe's objects nest a few levels, 200 leaves room
for any honest answer while keeping every recursive consumer (schema validation, reports) far from
Python's recursion limit."""


class JSONTooDeepError(ValueError):
    """The text is JSON nested deeper than the limit (a ``ValueError``, as for any unparsable body)."""

    def __init__(self, limit: int) -> None:
        """Say how deep the limit is."""
        super().__init__(f"JSON nested deeper than {limit} levels")
        self.limit = limit


def loads(data: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON like ``json.loads``; raise ``JSONTooDeepError`` when it nests deeper than ``limit``.

    The C parser stops itself (RecursionError) long before a hostile depth costs memory or time;
    what it does parse is then measured without recursion.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise JSONTooDeepError(limit) from None
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets > limit and deeper_than(value, limit):  # fewer brackets than the limit cannot nest deeper
        raise JSONTooDeepError(limit)
    return value


def deeper_than(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Tell whether ``value`` nests lists and dicts deeper than ``limit`` (walked level by level, no recursion)."""
    level = [value] if type(value) in _CONTAINERS else []
    for _ in range(limit):
        if not level:
            return False
        below: list[Any] = []
        for node in level:
            below += [child for child in (node.values() if type(node) is dict else node) if type(child) in _CONTAINERS]
        level = below
    return bool(level)


_CONTAINERS = (dict, list)
