"""Validation findings and the exception raised when no schema fits a body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["SchemaError", "Severity", "UnknownObjectError"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class SchemaError:
    """One finding about a body: where it is, which rule found it, and how serious it is.

    ``json_path`` locates the offending value in the body (``$.data[0].exp_month``);
    ``schema_path`` locates the rule, as ``schema-name#/json/pointer`` inside that schema.
    """

    json_path: str
    schema_path: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        """Render as ``severity: json_path: message``."""
        return f"{self.severity}: {self.json_path}: {self.message}"


class UnknownObjectError(LookupError):
    """No schema describes this body (unknown ``object`` value, or not a Stripe object)."""

    def __init__(self, message: str, *, json_path: str = "$") -> None:
        """Record the reason and where in the body the unknown object sits."""
        super().__init__(message)
        self.json_path = json_path
