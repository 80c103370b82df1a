"""The cassette file format: JSON (fast to load), with JSON response bodies stored as objects.

vcrpy keeps a response body as a string; a JSON body is stored here as the decoded object plus the
layout it was written in, but only when re-encoding it gives back the very same text, so loading a
cassette always yields the bytes that were recorded. Everything else stays a string.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from conformance.http import bounded_json

_LAYOUTS: dict[str, Callable[[Any], str]] = {
    "compact": lambda data: json.dumps(data, ensure_ascii=False, separators=(",", ":")),
    "spaced": lambda data: json.dumps(data, ensure_ascii=False),
    "indent2": lambda data: json.dumps(data, ensure_ascii=False, indent=2),
}


CASSETTE_NESTING = 8
"""Levels a cassette file adds above the bodies it stores (whose depth is bounded as any answer's)."""


def serialize(cassette: dict[str, Any]) -> str:
    """Return the text of a cassette (vcrpy's serializer interface)."""
    interactions = [_packed(interaction) for interaction in cassette.get("interactions", [])]
    return json.dumps({**cassette, "interactions": interactions}, ensure_ascii=False, indent=1) + "\n"


def deserialize(text: str) -> dict[str, Any]:
    """Parse the text of a cassette back into vcrpy's structure."""
    cassette: dict[str, Any] = bounded_json.loads(text, bounded_json.MAX_JSON_DEPTH + CASSETTE_NESTING)
    for interaction in cassette.get("interactions", []):
        body = interaction.get("response", {}).get("body")
        if isinstance(body, dict) and "json" in body:
            layout = _LAYOUTS.get(str(body.get("layout")), _LAYOUTS["compact"])
            ending = "\n" if body.get("newline") else ""
            interaction["response"]["body"] = {"string": layout(body["json"]) + ending}
    return cassette


def _packed(interaction: dict[str, Any]) -> dict[str, Any]:
    response = interaction.get("response")
    if not isinstance(response, dict):
        return interaction
    body = response.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("string"), str):
        return interaction
    return {**interaction, "response": {**response, "body": _pack(body["string"])}}


def _pack(text: str) -> dict[str, Any]:
    if not text.startswith(("{", "[")):
        return {"string": text}
    try:
        data = bounded_json.loads(text)
    except ValueError:  # not JSON, or nested too deep to re-encode safely: kept as the text it was
        return {"string": text}
    newline = text.endswith("\n")
    bare = text[:-1] if newline else text
    for name, layout in _LAYOUTS.items():
        if layout(data) == bare:
            return {"json": data, "layout": name} | ({"newline": True} if newline else {})
    return {"string": text}
