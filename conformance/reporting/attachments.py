"""Which scenarios get their HTTP exchanges attached to the Allure results: the policy's vocabulary.

Each exchange is three files (request, response, curl line); on a default run that was most of the
files the run wrote and about a third of its CPU (benchmarks/RESULTS.md). So by default only the
scenarios that did not pass carry them: the evidence someone opens Allure for.
"""

from __future__ import annotations

ATTACH_FAILURES = "failures"
"""The default: attach for scenarios that did not pass (failed, error, or xfailed)."""
ATTACH_ALL = "all"
"""Attach for every scenario (the behaviour before the default changed)."""
ATTACH_NONE = "none"
"""Never attach exchanges (labels, links and the conformance failures text stay)."""

ATTACH_CHOICES = (ATTACH_FAILURES, ATTACH_ALL, ATTACH_NONE)
"""The values of ``--stripe-allure-attach`` and ``run --allure-attach``; the first is the default."""


def attaches_exchanges(policy: str, *, passed: bool) -> bool:
    """Tell whether a scenario's exchanges are attached under ``policy``, given whether it passed."""
    if policy not in ATTACH_CHOICES:
        raise ValueError(f"allure attach policy must be one of {', '.join(ATTACH_CHOICES)}, not {policy!r}")
    return policy == ATTACH_ALL or (policy == ATTACH_FAILURES and not passed)
