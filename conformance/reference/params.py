"""Typed reading of decoded request parameters, with Stripe's validation errors."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from .errors import (
    invalid_parameter,
    parameter_invalid_empty,
    parameter_invalid_integer,
    parameter_unknown,
)

_INTEGER = re.compile(r"[+-]?\d{1,18}")


def nested_name(prefix: str, key: str) -> str:
    """Return the bracket name of ``key`` inside ``prefix`` (``source[number]``)."""
    return f"{prefix}[{key}]" if prefix else key


def reject_unknown(params: Mapping[str, object], allowed: Collection[str], prefix: str = "") -> None:
    """Raise ``parameter_unknown`` for the first key of ``params`` not in ``allowed``."""
    for key in params:
        if key not in allowed:
            raise parameter_unknown(nested_name(prefix, key))


def as_string(value: object, param: str, max_length: int = 5000) -> str:
    """Return ``value`` as a string no longer than ``max_length``."""
    if not isinstance(value, str):
        raise invalid_parameter(f"Invalid string: {_describe(value)}", param)
    if len(value) > max_length:
        raise invalid_parameter(f"Invalid string: {value[:20]}...; must be at most {max_length} characters", param)
    return value


def as_nullable_string(value: object, param: str, max_length: int = 5000) -> str | None:
    """Return ``value`` as a string, where ``""`` means null."""
    text = as_string(value, param, max_length)
    return text or None


def as_integer(value: object, param: str) -> int:
    """Return ``value`` parsed as an integer; ``""`` and non-integers are rejected."""
    if value == "":
        raise parameter_invalid_empty(param)
    if not isinstance(value, str) or _INTEGER.fullmatch(value.strip()) is None:
        raise parameter_invalid_integer(param, value)
    return int(value)


def as_hash(value: object, param: str) -> dict[str, object]:
    """Return ``value`` as a hash (a decoded ``param[key]=...`` group)."""
    if isinstance(value, list):
        return {str(index): item for index, item in enumerate(value)}
    if not isinstance(value, dict):
        raise invalid_parameter(f"Invalid object: {_describe(value)}", param)
    return value


def as_string_list(value: object, param: str) -> list[str]:
    """Return ``value`` as a list of strings; ``""`` means the empty list."""
    if value == "":
        return []
    if not isinstance(value, list):
        raise invalid_parameter(f"Invalid array: {_describe(value)}", param)
    return [as_string(item, f"{param}[{index}]") for index, item in enumerate(value)]


def as_choice(value: object, param: str, choices: Collection[str]) -> str:
    """Return ``value`` if it is one of ``choices``."""
    text = as_string(value, param)
    if text not in choices:
        allowed = ", ".join(f"`{choice}`" for choice in sorted(choices))
        raise invalid_parameter(f"Invalid {param}: must be one of {allowed}", param)
    return text


def _describe(value: object) -> str:
    """Render an unexpected value briefly for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."
