"""Preconditions: what a scenario needs from the target before it can check anything.

A scenario whose precondition cannot be met (after the documented alternatives were tried)
raises ``Blocked``: its cited requirements are reported ``blocked`` by that precondition, and the
precondition's failure is reported once, as the root cause. A route the target lacks (a
Stripe-shaped 404 for the path itself) raises ``Unsupported``: the requirements that need it
are reported ``unsupported``, not failed.
"""

from __future__ import annotations

from typing import Any


class Blocked(Exception):
    """A shared precondition failed: the scenario's requirements cannot be assessed.

    ``precondition`` is a stable id (``precondition.card-attach``), ``reason`` one sentence,
    ``evidence`` the redacted ``Failure.to_dict()`` of the last attempt (request, response, curl).
    """

    def __init__(self, precondition: str, reason: str, evidence: dict[str, Any] | None = None) -> None:
        """Name the precondition, why it failed, and the evidence of the last attempt."""
        super().__init__(f"blocked by {precondition}: {reason}")
        self.precondition = precondition
        self.reason = reason
        self.evidence = evidence


class Unsupported(Exception):
    """The target lacks a route or feature the scenario needs (seen, or not claimed by its profile)."""

    def __init__(self, feature: str, reason: str, evidence: dict[str, Any] | None = None) -> None:
        """Name the missing route or feature, why we think it is missing, and the evidence."""
        super().__init__(f"unsupported: {feature}: {reason}")
        self.feature = feature
        self.reason = reason
        self.evidence = evidence
