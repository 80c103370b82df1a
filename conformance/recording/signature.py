"""What makes two requests "the same" for replay: method, path, decoded query, decoded body.

Headers never count (the idempotency key and the redacted key differ between runs), nor the
host and port (a recorded reference server listened on a random port), nor parameter order.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

from conformance.http import bounded_json

Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class RequestKey:
    """The parts of a request replay matching compares, each decoded and order-free."""

    method: str
    path: str
    query: Pairs
    body: Pairs | str

    def describe(self) -> str:
        """Return one readable line: ``POST /v1/x?a=1 body: k=v&k2=v2``."""
        line = f"{self.method} {self.path}"
        if self.query:
            line += "?" + _join(self.query)
        if self.body:
            body = self.body if isinstance(self.body, str) else _join(self.body)
            line += f"  body: {_cut(body)}"
        return line


def request_key(method: str, uri: str, body: bytes | str | None, content_type: str | None = None) -> RequestKey:
    """Return the matching key of a request given its parts."""
    parts = urlsplit(uri)
    query = tuple(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return RequestKey(method.upper(), unquote(parts.path) or "/", query, _body_key(body, content_type))


def _body_key(body: bytes | str | None, content_type: str | None) -> Pairs | str:
    if not body:
        return ()
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    kind = (content_type or "").lower()
    if "json" in kind:
        try:
            return json.dumps(bounded_json.loads(text), sort_keys=True, separators=(",", ":"))
        except ValueError:
            return text
    if "x-www-form-urlencoded" in kind or not kind:
        try:
            return tuple(sorted(parse_qsl(text, keep_blank_values=True, strict_parsing=True)))
        except ValueError:
            return text
    return text


def differences(sent: RequestKey, recorded: RequestKey) -> list[str]:
    """Return what differs between two keys, one short phrase per difference."""
    found = []
    if sent.method != recorded.method:
        found.append(f"method: sent {sent.method}, recorded {recorded.method}")
    if sent.path != recorded.path:
        found.append(f"path: sent {sent.path}, recorded {recorded.path}")
    found += _pair_differences("query", sent.query, recorded.query)
    if isinstance(sent.body, tuple) and isinstance(recorded.body, tuple):
        found += _pair_differences("body", sent.body, recorded.body)
    elif sent.body != recorded.body:
        found.append(f"body: sent {_cut(str(sent.body))!r}, recorded {_cut(str(recorded.body))!r}")
    return found


def similarity(sent: RequestKey, recorded: RequestKey) -> float:
    """Score how alike two keys are (higher is closer); used to name the closest recording."""
    score = 4.0 * (sent.method == recorded.method)
    score += 3.0 * _path_likeness(sent.path, recorded.path)
    score += _overlap(sent.query, recorded.query)
    if isinstance(sent.body, tuple) and isinstance(recorded.body, tuple):
        score += 2.0 * _overlap(sent.body, recorded.body)
    else:
        score += 2.0 * (sent.body == recorded.body)
    return score


def closest(sent: RequestKey, recorded: Sequence[RequestKey]) -> int | None:
    """Return the index of the recorded key most like ``sent`` (first on ties), or None if none."""
    best, best_score = None, -1.0
    for index, candidate in enumerate(recorded):
        score = similarity(sent, candidate)
        if score > best_score:
            best, best_score = index, score
    return best


def _pair_differences(where: str, sent: Pairs, recorded: Pairs) -> list[str]:
    sent_map, recorded_map = _multimap(sent), _multimap(recorded)
    found = []
    for name in sorted(set(sent_map) | set(recorded_map)):
        mine, theirs = sent_map.get(name), recorded_map.get(name)
        if mine == theirs:
            continue
        if theirs is None:
            found.append(f"{where}: {name} sent but not recorded")
        elif mine is None:
            found.append(f"{where}: {name} recorded but not sent")
        else:
            found.append(f"{where}: {name} sent {_show(mine)}, recorded {_show(theirs)}")
    return found


def _multimap(pairs: Pairs) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for name, value in pairs:
        values.setdefault(name, []).append(value)
    return values


def _show(values: list[str]) -> str:
    return repr(_cut(values[0])) if len(values) == 1 else repr([_cut(v) for v in values])


def _overlap(a: Pairs, b: Pairs) -> float:
    if not a and not b:
        return 1.0
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union)


def _path_likeness(a: str, b: str) -> float:
    if a == b:
        return 1.0
    left, right = a.strip("/").split("/"), b.strip("/").split("/")
    if len(left) != len(right):
        return 0.0
    same = sum(x == y or (x.split("_")[0] == y.split("_")[0] and "_" in x) for x, y in zip(left, right, strict=True))
    return 0.9 * same / len(left)


def _join(pairs: Pairs) -> str:
    return "&".join(f"{k}={v}" for k, v in pairs)


def _cut(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} characters)"
