"""Fuzzing the faithful reference server finds nothing, and a seed reproduces a run call for call."""

from __future__ import annotations

from collections.abc import Callable

from fuzz_helpers import CountingIds

from conformance.fuzz.machine import run_machine
from conformance.fuzz.session import FuzzSession
from conformance.fuzz.stateless import fuzz_operation
from conformance.fuzz.surface import load_surface, operations

CARD_OPERATIONS = [ref for ref in operations(load_surface()) if ref.tag == "cards"]


def _calls(session: FuzzSession) -> list[tuple[str, str, bytes]]:
    sent: list[tuple[str, str, bytes]] = []
    session.client.observe(lambda r: sent.append((r.request.method, r.request.path, r.request.body)))
    for ref in CARD_OPERATIONS[:4]:
        assert fuzz_operation(session, ref) == []
    assert run_machine(session) == []
    assert session.noted() == []  # findings are noted (they end nothing), so this is where they would be
    return sent


def test_the_faithful_reference_passes_every_operation(fuzz_against: Callable[..., FuzzSession]) -> None:
    session = fuzz_against(examples=1)
    for ref in operations(load_surface()):
        assert fuzz_operation(session, ref) == [], ref.label
        assert session.noted() == [], ref.label


def test_the_faithful_reference_passes_the_state_machine(fuzz_against: Callable[..., FuzzSession]) -> None:
    session = fuzz_against(examples=2, seed="machine")
    assert run_machine(session) == []
    assert session.noted() == []


def test_a_seed_reproduces_every_request(fuzz_against: Callable[..., FuzzSession]) -> None:
    first = _calls(fuzz_against(CountingIds(), examples=1, seed="same"))
    again = _calls(fuzz_against(CountingIds(), examples=1, seed="same"))
    other = _calls(fuzz_against(CountingIds(), examples=1, seed="other"))
    assert len(first) > 50
    assert first == again
    assert first != other


def test_generation_ignores_literals_of_local_modules() -> None:
    from hypothesis.internal.conjecture import providers

    from conformance.fuzz.determinism import without_local_constants

    assert providers._get_local_constants().strings  # this checkout's modules are local: they hold literals
    with without_local_constants():
        local = providers._get_local_constants()
        assert not (local.strings or local.integers or local.floats or local.bytes)
    assert providers._get_local_constants().strings
