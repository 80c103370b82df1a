"""The CLI's run freezes the heap once the session is finished, so pytest's exit collections skip it."""

import gc
import weakref

import pytest

from conformance.cli.heap_freeze import YOUNG_THRESHOLD, FreezeHeapAtExit, LongLivedHeap
from conformance.cli.run_cmd import _run_suite
from conformance.http.traffic import Traffic


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a collection frees it


def test_session_finish_freezes_the_heap_and_later_collections_skip_it():
    node = _Node()
    alive = weakref.ref(node)
    del node
    try:
        FreezeHeapAtExit().pytest_sessionfinish()
        gc.collect()
        assert alive() is not None  # frozen: the pass did not visit it
    finally:
        gc.unfreeze()
    gc.collect()
    assert alive() is None


def test_configure_widens_the_youngest_generation_only():
    before = gc.get_threshold()
    try:
        LongLivedHeap().pytest_configure()
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.set_threshold(*before)


def test_the_run_hands_the_freezer_to_pytest(monkeypatch):
    given = []

    def main(args, plugins):
        given.extend(plugins)
        return pytest.ExitCode.OK

    monkeypatch.setattr(pytest, "main", main)
    from conformance.settings import RunSettings

    assert _run_suite(RunSettings(), None, None, None, 0, Traffic()) == 0
    assert any(isinstance(plugin, FreezeHeapAtExit) for plugin in given)
    assert any(isinstance(plugin, LongLivedHeap) for plugin in given)
