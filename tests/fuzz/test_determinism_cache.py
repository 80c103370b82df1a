"""The constants table Hypothesis builds while local literals are off is kept between fuzz tests, never outside."""

from __future__ import annotations

import hypothesis
from hypothesis import strategies as st
from hypothesis.internal.conjecture import providers

from conformance.fuzz.config import hypothesis_settings
from conformance.fuzz.determinism import without_local_constants


def _draw_many(seed: int) -> list[object]:
    drawn: list[object] = []

    @hypothesis.seed(seed)
    @hypothesis.settings(hypothesis_settings(60, shrink=False))
    @hypothesis.given(st.tuples(st.integers(-(10**6), 10**6), st.text(max_size=8), st.floats(0, 1)))
    def test(value: object) -> None:
        drawn.append(value)

    test()
    return drawn


def test_a_block_finds_the_entries_of_the_last_block_and_draws_as_with_an_empty_table() -> None:
    with without_local_constants():
        first = _draw_many(7)
        built = dict(providers.CONSTANTS_CACHE.cache)
    assert built  # 60 draws consult the table (a constant is drawn about one time in twenty)
    assert not providers.CONSTANTS_CACHE.cache  # nothing built inside serves outside
    with without_local_constants():
        assert dict(providers.CONSTANTS_CACHE.cache) == built
        again = _draw_many(7)
    providers.CONSTANTS_CACHE.cache.clear()
    from conformance.fuzz import determinism

    saved = dict(determinism._WITHOUT_LOCAL)
    determinism._WITHOUT_LOCAL.clear()
    try:
        with without_local_constants():
            assert not providers.CONSTANTS_CACHE.cache
            fresh = _draw_many(7)
    finally:
        determinism._WITHOUT_LOCAL.update(saved)
    assert first == again == fresh
