"""The ``expand[]`` parameter: which paths each object can expand, and grouping them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType

from .errors import invalid_parameter
from .params import as_string_list

MAX_DEPTH = 4
"""Deepest expansion path Stripe accepts (``a.b.c.d``)."""

SHAPES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "customer": MappingProxyType(
            {
                "default_source": "card",
                "sources": "card_list",
                "subscriptions": "empty_list",
                "tax_ids": "empty_list",
                "test_clock": "leaf",
            }
        ),
        "card": MappingProxyType({"customer": "customer"}),
        "card_list": MappingProxyType({"data": "card"}),
        "customer_list": MappingProxyType({"data": "customer"}),
        "empty_list": MappingProxyType({"data": "leaf"}),
        "leaf": MappingProxyType({}),
    }
)
"""For each response shape, its expandable fields and the shape each expands to."""


def parse_expand(params: Mapping[str, object], shape: str) -> list[str]:
    """Read and validate ``expand`` for a response of the given shape."""
    if "expand" not in params:
        return []
    paths = as_string_list(params["expand"], "expand")
    for path in paths:
        check_path(path, shape)
    return paths


def check_path(path: str, shape: str) -> None:
    """Reject a path that the shape cannot expand."""
    segments = path.split(".")
    if len(segments) > MAX_DEPTH:
        raise invalid_parameter(f"You cannot expand more than {MAX_DEPTH} levels of a property ({path}).", "expand")
    current = shape
    for segment in segments:
        fields = SHAPES[current]
        if segment not in fields:
            raise invalid_parameter(f"This property cannot be expanded ({path}).", "expand")
        current = fields[segment]


def group_paths(paths: Sequence[str]) -> dict[str, list[str]]:
    """Group ``a.b`` paths by their first field: ``{"a": ["b"]}``."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        head, _, rest = path.partition(".")
        children = groups.setdefault(head, [])
        if rest:
            children.append(rest)
    return groups
