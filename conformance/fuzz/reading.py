"""How Stripe reads a generated request, to tell whether a negative case is still invalid on the wire.

Schemathesis marks a case negative when its data violates the schema. Form encoding loses
type information: ``name=123`` is a valid string, an omitted ``null`` is simply absent,
``metadata[]=x`` and ``metadata[0]=x`` may read as a hash, an empty value means "unset".
So before calling an accepted negative case a failure, the suite reads the request the way a
Stripe server does (bracket notation, typed by the documented schema) and checks it against the
*documented* schema, not the generation view: only limits Stripe documents count.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import jsonschema
import schemathesis
from schemathesis.core import NotSet

from conformance.fuzz.surface import load_surface
from conformance.http.formencode import encode_form

_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_SEGMENTS = re.compile(r"(?:\[[^\[\]]*\])*")
_INTEGER = re.compile(r"[+-]?\d{1,18}")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


class Unreadable(ValueError):
    """The form text has no single reading (malformed brackets, a key used twice in two shapes)."""


def read_form(text: str) -> dict[str, Any]:
    """Decode bracket-notation form text into nested dicts, lists and strings (Rack's reading).

    ``a[b]=1`` is a hash, ``a[]=1`` appends to a list, and a hash whose keys are exactly
    ``0..n-1`` reads as a list. Raises :class:`Unreadable` for text without one reading.
    """
    root: dict[str, Any] = {}
    for pair in filter(None, text.split("&")):
        raw_key, _, raw_value = pair.partition("=")
        key, value = _unquote(raw_key), _unquote(raw_value)
        bracket = key.find("[")
        name, rest = (key, "") if bracket == -1 else (key[:bracket], key[bracket:])
        if not name or "]" in name or _SEGMENTS.fullmatch(rest) is None:
            raise Unreadable(f"malformed parameter name {key!r}")
        _assign(root, name, _SEGMENT.findall(rest), value)
    return {key: _lists(value) for key, value in root.items()}


def _unquote(text: str) -> str:
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeError:
        raise Unreadable("not UTF-8") from None


def _assign(target: dict[str, Any], name: str, rest: list[str], value: str) -> None:
    if not rest:
        if name in target and not isinstance(target[name], str):
            raise Unreadable(f"{name!r} is both a value and a container")
        target[name] = value
        return
    head, tail = rest[0], rest[1:]
    if head == "":
        items = target.setdefault(name, [])
        if not isinstance(items, list) or tail:
            raise Unreadable(f"{name!r} mixes list notations")
        items.append(value)
        return
    child = target.setdefault(name, {})
    if not isinstance(child, dict):
        raise Unreadable(f"{name!r} is both a value and a container")
    _assign(child, head, tail, value)


def _lists(value: Any) -> Any:
    if isinstance(value, list):
        return [_lists(item) for item in value]
    if isinstance(value, dict):
        done = {key: _lists(item) for key, item in value.items()}
        if done and sorted(done) == sorted(str(index) for index in range(len(done))):
            return [done[str(index)] for index in range(len(done))]
        return done
    return value


def as_read(value: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``value`` as a Stripe server reads it once the suite has encoded it."""
    return read_form(encode_form(value))


class DocumentedSchemas:
    """The documented (sound) request schemas of each operation, for judging negative cases."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        """Judge against ``document`` (the shipped surface by default)."""
        self._doc = document if document is not None else load_surface()
        self._components = self._doc.get("components", {})

    def violated(self, case: schemathesis.Case[Any]) -> bool:
        """Tell whether the request, as Stripe reads it, breaks a documented limit.

        ``False`` also when the request has no single reading: the suite then cannot tell.
        """
        try:
            return self._path_violated(case) or self._query_violated(case) or self._body_violated(case)
        except Unreadable:
            return False

    def _operation(self, case: schemathesis.Case[Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        item = self._doc["paths"][case.path]
        operation: dict[str, Any] = item[case.method.lower()]
        parameters = [self._parameter(p) for p in (*item.get("parameters", []), *operation.get("parameters", []))]
        return operation, parameters

    def _parameter(self, parameter: dict[str, Any]) -> dict[str, Any]:
        ref = parameter.get("$ref")
        if isinstance(ref, str):
            resolved: dict[str, Any] = self._components["parameters"][ref.rsplit("/", 1)[1]]
            return resolved
        return parameter

    def _path_violated(self, case: schemathesis.Case[Any]) -> bool:
        _, parameters = self._operation(case)
        values = case.path_parameters or {}
        return any(
            not self._valid(unquote(str(values[p["name"]])), p["schema"])
            for p in parameters
            if p["in"] == "path" and p["name"] in values
        )

    def _query_violated(self, case: schemathesis.Case[Any]) -> bool:
        _, parameters = self._operation(case)
        query = case.query if isinstance(case.query, Mapping) else {}
        read = as_read(query)
        declared = {p["name"]: p["schema"] for p in parameters if p["in"] == "query"}
        if any(name not in declared for name in read):
            return True
        return any(not self._valid(self._coerce(value, declared[name]), declared[name]) for name, value in read.items())

    def _body_violated(self, case: schemathesis.Case[Any]) -> bool:
        operation, _ = self._operation(case)
        content = operation.get("requestBody", {}).get("content", {})
        if not content:
            return False
        schema = next(iter(content.values()))["schema"]
        body = case.body
        if isinstance(body, NotSet):
            return bool(operation.get("requestBody", {}).get("required")) and not self._valid({}, schema)
        if not isinstance(body, Mapping):
            raise Unreadable("a body that is not a hash")
        read = as_read(body)
        return not self._valid(self._coerce(read, schema), schema)

    def _resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref: str = schema["$ref"]
            if not ref.startswith("#/components/schemas/"):
                return {}
            schema = self._components["schemas"][ref.rsplit("/", 1)[1]]
        return schema

    def _valid(self, value: Any, schema: Any) -> bool:
        schemas = {**self._components.get("schemas", {}), "__root__": schema}
        root = {"$ref": "#/components/schemas/__root__", "components": {**self._components, "schemas": schemas}}
        return bool(jsonschema.Draft202012Validator(root).is_valid(value))

    def _coerce(self, value: Any, schema: Any) -> Any:
        """Type a read value (strings, lists, hashes) as the documented schema would read it."""
        schema = self._resolve(schema)
        if not isinstance(schema, dict):
            return value
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = schema[key]
                for branch in branches:
                    typed = self._coerce(value, branch)
                    if self._valid(typed, branch):
                        return typed
                return value
        types = schema.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        if isinstance(value, list) and "object" in types and "array" not in types:
            # ``key[]=v`` where a hash is documented: servers differ (Rack keeps a list,
            # others index it into a hash), so the suite cannot tell what Stripe reads.
            raise Unreadable("a list where a hash is documented")
        if isinstance(value, str):
            return _typed_scalar(value, types)
        if isinstance(value, dict) and "object" in types:
            properties = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            return {
                key: self._coerce(item, properties.get(key, extra if isinstance(extra, dict) else {}))
                for key, item in value.items()
            }
        if isinstance(value, list) and "array" in types:
            return [self._coerce(item, schema.get("items", {})) for item in value]
        return value


def _typed_scalar(text: str, types: list[str]) -> Any:
    """Read one form value as the first documented type it can be."""
    stripped = text.strip()
    if text == "" and "array" in types:
        return []
    if text == "" and "object" in types:
        return {}
    if "integer" in types and _INTEGER.fullmatch(stripped):
        return int(stripped)
    if "number" in types and _NUMBER.fullmatch(stripped):
        return float(stripped)
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    return text
