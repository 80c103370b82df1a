"""Stripe's bracket-notation form encoding (``metadata[key]=v``, ``expand[]=x``, ``items[0][k]=v``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

FormValue = Any


def encode_pairs(params: Mapping[str, FormValue]) -> list[tuple[str, str]]:
    """Flatten nested params into ordered ``(key, value)`` pairs in bracket notation.

    ``None`` omits a key. Empty strings, empty mappings and empty lists are sent as
    ``key=`` because Stripe reads an empty value as "unset" (``metadata=`` clears all keys).
    Lists of scalars become ``key[]=v`` (repeated); lists of mappings become ``key[0][k]=v``.
    Booleans are ``true``/``false``.
    """
    return list(_flatten(params, prefix=""))


def encode_form(params: Mapping[str, FormValue]) -> str:
    """Return the ``application/x-www-form-urlencoded`` text for ``params``."""
    return "&".join(f"{_quote(k)}={_quote(v)}" for k, v in encode_pairs(params))


def _quote(text: str) -> str:
    return quote(text, safe="[]")


def _flatten(value: Mapping[str, FormValue], prefix: str) -> Iterator[tuple[str, str]]:
    for key, item in value.items():
        name = f"{prefix}[{key}]" if prefix else str(key)
        yield from _flatten_value(name, item)


def _flatten_value(name: str, item: FormValue) -> Iterator[tuple[str, str]]:
    if item is None:
        return
    if isinstance(item, Mapping):
        if not item:
            yield name, ""
        else:
            yield from _flatten(item, name)
    elif isinstance(item, Sequence) and not isinstance(item, str | bytes):
        if not item:
            yield name, ""
        elif any(isinstance(element, Mapping) for element in item):
            for index, element in enumerate(item):
                yield from _flatten_value(f"{name}[{index}]", element)
        else:
            for element in item:
                yield from _flatten_value(f"{name}[]", element)
    else:
        yield name, form_text(item)


def form_text(item: FormValue) -> str:
    """Return a scalar as it travels in a form body (booleans as ``true``/``false``, numbers as text)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, bytes):
        return item.decode("utf-8")
    return str(item)
