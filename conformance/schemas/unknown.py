"""Find fields a schema does not know, from the errors of its strict (closed) variant.

The strict variant rejects every field an object schema does not list. Its errors
are explained by unknown fields alone when each is an ``additionalProperties``
error, or an ``anyOf`` with a branch whose own errors are so explained (the branch
that describes the value). Those fields are reported; a branch that fails for
other reasons is a real error, reported by the detailed validation instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jsonschema_rs import ValidationError, ValidationErrorKind

__all__ = ["UnknownField", "unknown_fields"]


@dataclass(frozen=True, slots=True)
class UnknownField:
    """A field present in a body but absent from the schema of its object."""

    instance_path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]


def unknown_fields(errors: Iterable[ValidationError]) -> list[UnknownField]:
    """Return the unknown fields that explain ``errors`` (partially explained ones included)."""
    found, _ = _explain(errors)
    return found


def _explain(errors: Iterable[ValidationError]) -> tuple[list[UnknownField], int]:
    """Return the unknown fields found and the number of errors they do not explain."""
    found: list[UnknownField] = []
    unexplained = 0
    for error in errors:
        kind = error.kind
        if isinstance(kind, ValidationErrorKind.AdditionalProperties):
            base = tuple(error.instance_path)
            schema = tuple(step for step in error.evaluation_path if step != "$ref")
            found.extend(UnknownField((*base, key), schema) for key in sorted(kind.unexpected))
        elif isinstance(kind, ValidationErrorKind.AnyOf):
            at = list(error.instance_path)
            branches = [_explain(b) for b in kind.context if not _rules_out(b, at)]
            if not branches:
                unexplained += 1
                continue
            best_found, best_unexplained = min(branches, key=lambda b: (b[1], len(b[0])))
            found.extend(best_found)
            unexplained += best_unexplained
        else:
            unexplained += 1
    return found, unexplained


def _rules_out(branch: list[ValidationError], at: list[str | int]) -> bool:
    """Tell whether a branch's errors show it describes another kind of value."""
    for error in branch:
        path = list(error.instance_path)
        kind = error.kind
        if path == at and isinstance(kind, ValidationErrorKind.Type | ValidationErrorKind.MaxProperties):
            return True
        if path in ([*at, "object"], [*at, "deleted"]) and isinstance(
            kind, ValidationErrorKind.Enum | ValidationErrorKind.Constant
        ):
            return True
        if path == at and isinstance(kind, ValidationErrorKind.Required) and ("deleted" in error.message):
            return True
    return False
