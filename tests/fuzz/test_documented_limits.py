"""Negative cases come from documented limits only, never from the fuzzer's own generation ranges."""

from __future__ import annotations

import pytest

from conformance.fuzz.session import LoadedSurface


@pytest.fixture(scope="module")
def surface() -> LoadedSurface:
    return LoadedSurface.load("http://127.0.0.1:9")


@pytest.mark.parametrize(
    "query",
    [{"created": 0}, {"created": 99_999_999_999}, {"created": {"gt": -3}}, {"created": {"lte": 5_000_000_000}}],
    ids=["epoch", "far-future", "negative-bound", "bound-past-2100"],
)
def test_created_outside_the_generation_range_is_not_a_negative_case(surface: LoadedSurface, query: dict) -> None:
    # The fuzzer generates created in 2000-2100 (views.py) only to stay realistic: no document limits it.
    case = surface.schema["/v1/customers"]["GET"].Case(query=query)
    assert not surface.documented.violated(case)


@pytest.mark.parametrize(
    "query", [{"limit": 0}, {"limit": 101}, {"created": {"between": 1}}], ids=["limit-0", "limit-101", "unknown-key"]
)
def test_documented_limits_are_negative_cases(surface: LoadedSurface, query: dict) -> None:
    case = surface.schema["/v1/customers"]["GET"].Case(query=query)
    assert surface.documented.violated(case)
