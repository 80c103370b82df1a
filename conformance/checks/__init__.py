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
from conformance.checks.verifier import Verifier

__all__ = [
    "ConformanceError",
    "EnvelopeViolation",
    "Failure",
    "SchemaViolation",
    "StatusMismatch",
    "TransportFailure",
    "ValueMismatch",
    "Verifier",
]
