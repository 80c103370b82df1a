"""Long scenarios are handed out first in a run of several processes, and only there."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from conformance.plugin.ordering import FIRST_MARKER, long_scenarios_first


class _Item:
    def __init__(self, name: str, first: bool) -> None:
        self.name = name
        self._first = first

    def get_closest_marker(self, name: str) -> object | None:
        return object() if self._first and name == FIRST_MARKER else None


def _items() -> list[Any]:
    return [_Item("a", False), _Item("machine-0", True), _Item("b", False), _Item("machine-1", True)]


def test_a_worker_process_runs_the_marked_scenarios_first_each_group_in_its_order() -> None:
    items = _items()
    long_scenarios_first(SimpleNamespace(workerinput={}), items)  # type: ignore[arg-type]
    assert [item.name for item in items] == ["machine-0", "machine-1", "a", "b"]


def test_a_serial_run_keeps_the_collection_order() -> None:
    items = _items()
    long_scenarios_first(SimpleNamespace(), items)  # type: ignore[arg-type]
    assert [item.name for item in items] == ["a", "machine-0", "b", "machine-1"]


def test_the_machine_parts_carry_the_marker() -> None:
    from conformance.fuzz.test_fuzz_scenarios import test_fuzz_stateful_scenarios

    marks = [mark.name for mark in getattr(test_fuzz_stateful_scenarios, "pytestmark", [])]
    assert FIRST_MARKER in marks

