"""The fuzz budget a run gets when none is given: smaller where every request costs a limiter slot."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.fuzz.budget import FuzzBudget
from conformance.settings import RunSettings
from conformance.settings.options import DEFAULT_EXAMPLES, DEFAULT_LIMITED_EXAMPLES

REMOTE = "https://stripe-fake.example.com"
LOCAL = "http://127.0.0.1:12111"


@pytest.mark.parametrize(
    ("settings", "base_url", "budget"),
    [
        (RunSettings(), None, DEFAULT_EXAMPLES),  # the built-in reference server
        (RunSettings(), LOCAL, DEFAULT_EXAMPLES),
        (RunSettings(target=REMOTE), REMOTE, DEFAULT_LIMITED_EXAMPLES),
        (RunSettings(rate_limit=5), LOCAL, DEFAULT_LIMITED_EXAMPLES),  # limited on loopback: requests cost slots
        (RunSettings(target=REMOTE, rate_limit=0), REMOTE, DEFAULT_EXAMPLES),  # the limiter turned off
        (RunSettings(target=REMOTE, fuzz_examples=5), REMOTE, 5),  # given: kept
        (RunSettings(target=REMOTE, fuzz_examples=0), REMOTE, 0),
        (RunSettings(replay=Path("cassettes/reference")), None, DEFAULT_EXAMPLES),  # nothing is sent
    ],
)
def test_the_default_budget_follows_the_rate_limit(settings: RunSettings, base_url: str | None, budget: int) -> None:
    resolved = settings.resolved(base_url)
    assert resolved.fuzz_examples == resolved.fuzz_budget == budget
    assert resolved.resolved(LOCAL if base_url == REMOTE else REMOTE) == resolved  # settled once, then kept


def test_unresolved_settings_judge_by_their_own_target() -> None:
    assert RunSettings().fuzz_examples is None
    assert RunSettings().fuzz_budget == DEFAULT_EXAMPLES
    assert RunSettings(target=REMOTE).fuzz_budget == DEFAULT_LIMITED_EXAMPLES


def test_the_limited_default_still_fuzzes_with_fewer_machine_scenarios() -> None:
    limited, unlimited = FuzzBudget(examples=DEFAULT_LIMITED_EXAMPLES), FuzzBudget(examples=DEFAULT_EXAMPLES)
    assert limited.enabled and 0 < limited.scenarios < unlimited.scenarios
    assert limited.parts == limited.scenarios  # one scenario per part: spread over the processes in flight
