"""Full error detail for an invalid body, from the pure-Python ``jsonschema`` validator.

Every error is reported with its JSON path. Where a value fails an ``anyOf`` (an
expandable field, a nullable object, a polymorphic field), the error is replaced
by the errors of the branch that describes the value: the one of the right JSON
type and ``object`` kind, with the fewest errors. That turns "not valid under any
of the given schemas" at ``$.customer`` into ``$.customer.balance: 'x' is not of
type 'integer'``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import Any

from jsonschema import ValidationError  # type: ignore[import-untyped, unused-ignore]
from jsonschema.protocols import Validator  # type: ignore[import-untyped, unused-ignore]

from conformance.schemas.errors import SchemaError
from conformance.schemas.jsonpath import json_path, json_pointer

__all__ = ["detailed_errors"]

_MAX_REPR = 80


def detailed_errors(
    validator: Validator, body: Any, *, schema_name: str, prefix: tuple[str | int, ...] = ()
) -> list[SchemaError]:
    """Return every error of ``body`` under ``validator``, sorted by location."""
    leaves = [leaf for error in validator.iter_errors(body) for leaf in _expand(error)]
    findings = {
        SchemaError(
            json_path=json_path((*prefix, *leaf.absolute_path)),
            schema_path=f"{schema_name}#{json_pointer(leaf.absolute_schema_path)}",
            message=_message(leaf),
        )
        for leaf in leaves
    }
    return sorted(findings, key=lambda f: (f.json_path, f.schema_path, f.message))


def _expand(error: ValidationError) -> Iterator[ValidationError]:
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    branches = [
        list(group)
        for _, group in groupby(
            sorted(error.context, key=lambda e: e.relative_schema_path[0]),
            key=lambda e: e.relative_schema_path[0],
        )
    ]
    candidates = [branch for branch in branches if not _rules_out(branch)]
    if not candidates:
        alternatives = ", ".join(_describe(branch) for branch in error.validator_value)
        error.message = f"{_short(error.instance)} matches none of: {alternatives}"
        yield error
        return
    best = min(candidates, key=len)
    for sub in best:
        yield from _expand(sub)


def _rules_out(branch: Iterable[ValidationError]) -> bool:
    """Tell whether a branch's errors show it describes another kind of value."""
    for error in branch:
        path = list(error.relative_path)
        if not path and error.validator in ("type", "maxProperties"):
            return True
        if path in (["object"], ["deleted"]) and error.validator in ("enum", "const", "type"):
            return True
        if not path and error.validator == "required" and "'deleted'" in error.message:
            return True
    return False


def _describe(schema: Any) -> str:
    """Name an ``anyOf`` alternative: a referenced schema, a JSON type, or an empty object."""
    if not isinstance(schema, dict):
        return "anything" if schema else "nothing"
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1].removesuffix(".json")
    if schema.get("maxProperties") == 0:
        return "empty object"
    kind = schema.get("type", "any value")
    return "/".join(kind) if isinstance(kind, list) else str(kind)


def _short(instance: Any) -> str:
    """Render a value for a message: a short repr, or its kind and ``object`` value."""
    rendered = repr(instance)
    if len(rendered) <= _MAX_REPR:
        return rendered
    if isinstance(instance, dict):
        kind = instance.get("object")
        return f"an object with object={kind!r}" if isinstance(kind, str) else "an object"
    return f"a {type(instance).__name__}"


def _message(error: ValidationError) -> str:
    """Return the error message, with an overlong rendering of the value shortened."""
    text = str(error.message)
    rendered = repr(error.instance)
    if len(rendered) > _MAX_REPR and text.startswith(rendered):
        text = _short(error.instance) + text[len(rendered) :]
    return text
