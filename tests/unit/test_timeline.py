"""Ties in ``created``: only attaches a second apart have an order a target must keep."""

from __future__ import annotations

from conformance.suite.timeline import Timeline


def timeline(**windows: tuple[float, float]) -> Timeline:
    return Timeline(dict(windows))


def test_cards_attached_within_a_second_may_come_in_any_order() -> None:
    line = timeline(a=(0.0, 0.1), b=(0.2, 0.3), c=(0.4, 0.5))
    assert line.order_violations(["a", "b", "c"]) == []
    assert line.order_violations(["c", "b", "a"]) == []
    assert line.newest(["a", "b", "c"]) == {"a", "b", "c"}


def test_a_card_a_second_later_must_come_first_and_become_the_default() -> None:
    line = timeline(a=(0.0, 0.1), b=(0.2, 0.3), d=(1.4, 1.5))
    assert line.order_violations(["d", "b", "a"]) == []
    wrong = line.order_violations(["b", "d", "a"])
    assert wrong == ["b is listed before d, which was attached at least a second later"]
    assert line.newest(["a", "b", "d"]) == {"d"}
    assert line.newest(["a", "b"]) == {"a", "b"}


def test_attach_notes_the_window_and_next_second_spaces_attaches() -> None:
    line = Timeline()
    first = line.attach(lambda customer: {"id": f"card_1_{customer}"}, "cus")
    line.next_second()
    second = line.attach(lambda customer: {"id": f"card_2_{customer}"}, "cus")
    assert line.newer(second, first) and not line.newer(first, second)
