"""Decoder for Stripe's bracket-notation form encoding.

Stripe clients send nested parameters as ``application/x-www-form-urlencoded``
pairs whose keys use brackets: ``b[c]=2`` is a hash, ``l[]=x`` appends to an
array and ``m[0][k]=v`` is an array written with explicit indexes.  The same
encoding is used for GET query strings.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

MAX_PARAMS = 1000
"""Largest number of ``key=value`` pairs accepted in one body."""

MAX_DEPTH = 10
"""Deepest bracket nesting accepted in one key."""

_SEGMENTS = re.compile(r"(?:\[[^\[\]]*\])+")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


class FormDecodeError(ValueError):
    """Signal that a form body is malformed and cannot be decoded."""


def decode_form(body: str) -> dict[str, object]:
    """Decode a bracket-notation form body into nested dicts, lists and strings.

    Empty values are kept as ``""``.  A container whose keys are exactly
    ``"0"`` to ``"n-1"`` becomes a list.  Raises :class:`FormDecodeError` for
    malformed input: unbalanced brackets, a key used both as a scalar and as a
    container, invalid UTF-8, too many pairs or too deep nesting.
    """
    pairs = [pair for pair in body.split("&") if pair]
    if len(pairs) > MAX_PARAMS:
        raise FormDecodeError(f"Too many parameters: at most {MAX_PARAMS} are allowed.")
    root: dict[str, object] = {}
    for pair in pairs:
        raw_key, _, raw_value = pair.partition("=")
        key = _unquote(raw_key)
        value = _unquote(raw_value)
        name, segments = split_key(key)
        _assign(root, name, segments, value, key)
    return _finalize(root)


def split_key(key: str) -> tuple[str, list[str]]:
    """Split ``a[b][]`` into ``("a", ["b", ""])``, rejecting malformed keys."""
    bracket = key.find("[")
    if bracket == -1:
        if "]" in key:
            raise FormDecodeError(f"Malformed parameter name (unbalanced brackets): {key!r}.")
        name, rest = key, ""
    else:
        name, rest = key[:bracket], key[bracket:]
    if not name:
        raise FormDecodeError(f"Malformed parameter name (empty name): {key!r}.")
    if "]" in name:
        raise FormDecodeError(f"Malformed parameter name (unbalanced brackets): {key!r}.")
    if not rest:
        return name, []
    if _SEGMENTS.fullmatch(rest) is None:
        raise FormDecodeError(f"Malformed parameter name (unbalanced brackets): {key!r}.")
    segments = _SEGMENT.findall(rest)
    if len(segments) > MAX_DEPTH:
        raise FormDecodeError(f"Parameter {key!r} is nested too deeply: at most {MAX_DEPTH} levels are allowed.")
    return name, segments


def _unquote(text: str) -> str:
    """Percent-decode one key or value, requiring valid UTF-8."""
    if "%" not in text and "+" not in text:
        return text  # nothing to decode (the text came from decoding UTF-8, so it is valid)
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeError as exc:
        raise FormDecodeError("Parameters must be valid UTF-8.") from exc


def _conflict(key: str) -> FormDecodeError:
    """Build the error for a key used with two different shapes."""
    return FormDecodeError(
        f"Conflicting shapes for parameter {key!r}: it is used both as a value and as a hash or array."
    )


def _assign(target: dict[str, object], name: str, rest: list[str], value: str, key: str) -> None:
    """Store ``value`` under ``name`` followed by the bracket segments ``rest``."""
    if not rest:
        if name in target and not isinstance(target[name], str):
            raise _conflict(key)
        target[name] = value
        return
    head, tail = rest[0], rest[1:]
    if head == "":
        items = target.setdefault(name, [])
        if not isinstance(items, list):
            raise _conflict(key)
        _append(items, tail, value, key)
        return
    child = target.setdefault(name, {})
    if not isinstance(child, dict):
        raise _conflict(key)
    _assign(child, head, tail, value, key)


def _append(items: list[object], rest: list[str], value: str, key: str) -> None:
    """Append to an array written as ``name[]``, merging ``name[][k]`` like Rack does."""
    if not rest:
        items.append(value)
        return
    if rest[0] == "":
        raise FormDecodeError(f"Malformed parameter name (nested empty brackets): {key!r}.")
    last = items[-1] if items else None
    if isinstance(last, dict) and not _has_path(last, rest):
        _assign(last, rest[0], rest[1:], value, key)
        return
    fresh: dict[str, object] = {}
    _assign(fresh, rest[0], rest[1:], value, key)
    items.append(fresh)


def _has_path(target: dict[str, object], path: list[str]) -> bool:
    """Tell whether the nested hash path already holds something."""
    node: object = target
    for segment in path:
        if not isinstance(node, dict) or segment not in node:
            return False
        node = node[segment]
    return True


def _finalize(node: dict[str, object]) -> dict[str, object]:
    """Turn index-keyed hashes into lists throughout a decoded tree."""
    return {key: _finalize_value(value) for key, value in node.items()}


def _finalize_value(value: object) -> object:
    """Finalize one decoded value."""
    if isinstance(value, list):
        return [_finalize_value(item) for item in value]
    if isinstance(value, dict):
        done = _finalize(value)
        indexes = [str(index) for index in range(len(done))]
        if done and sorted(done) == sorted(indexes):
            return [done[index] for index in indexes]
        return done
    return value
