"""Checks: typed failures with evidence, and the verifier scenarios assert through."""

from conformance.checks.failures import (
    ConformanceError,
    EnvelopeViolation,
    Failure,
    SchemaViolation,
    StatusMismatch,
    TransportFailure,
    ValueMismatch,
)
from conformance.checks.preconditions import Blocked, Unsupported
from conformance.checks.verifier import Verifier

__all__ = [
    "Blocked",
    "ConformanceError",
    "EnvelopeViolation",
    "Failure",
    "SchemaViolation",
    "StatusMismatch",
    "TransportFailure",
    "Unsupported",
    "ValueMismatch",
    "Verifier",
]
