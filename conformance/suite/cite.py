"""Tie a scenario to catalogue requirements, validated when the scenario module is imported."""

from __future__ import annotations

import pytest

from conformance.requirements import load_catalogue


def requires(*requirement_ids: str) -> pytest.MarkDecorator:
    """Return the ``requirement`` marker for ``requirement_ids``; unknown IDs fail at import."""
    if not requirement_ids:
        raise ValueError("a scenario must cite at least one requirement")
    catalogue = load_catalogue()
    unknown = [rid for rid in requirement_ids if rid not in catalogue]
    if unknown:
        raise LookupError(f"scenario cites unknown requirement id(s): {', '.join(unknown)}")
    return pytest.mark.requirement(*requirement_ids)
