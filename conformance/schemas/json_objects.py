"""Every JSON object inside a decoded JSON document, at any depth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def json_objects(node: Any) -> Iterator[dict[str, Any]]:
    """Yield ``node`` if it is an object, then every object nested in it (no order promised)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
