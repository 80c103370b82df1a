"""The fuzzing configuration is built in code: neither CI nor a schemathesis.toml changes a run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import hypothesis
import hypothesis.core
import pytest
from hypothesis import Phase
from hypothesis import strategies as st

from conformance.fuzz.budget import MACHINE_PARTS, SCENARIOS_PER_EXAMPLE, FuzzBudget
from conformance.fuzz.config import hypothesis_settings, schemathesis_config, without_database_key
from conformance.fuzz.session import LoadedSurface

FIELDS = ("max_examples", "derandomize", "database", "deadline", "phases", "stateful_step_count", "print_blob")


def _fields(settings: hypothesis.settings) -> tuple[object, ...]:
    return tuple(getattr(settings, name) for name in FIELDS)


def test_hypothesis_settings_do_not_follow_the_loaded_profile() -> None:
    expected = _fields(hypothesis_settings(5, steps=7))
    try:
        hypothesis.settings.load_profile("ci")  # what Hypothesis does when CI is set
        assert _fields(hypothesis_settings(5, steps=7)) == expected
    finally:
        hypothesis.settings.load_profile("default")
    settings = hypothesis_settings(5)
    assert settings.database is None and not settings.derandomize
    assert Phase.reuse not in settings.phases and Phase.shrink in settings.phases
    assert Phase.shrink not in hypothesis_settings(5, shrink=False).phases


def test_schemathesis_config_turns_off_everything_that_learns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    toml = "[generation]\nmax-examples = 999\n[analysis.constants]\nenabled = true\n"
    (tmp_path / "schemathesis.toml").write_text(toml)
    monkeypatch.chdir(tmp_path)
    config = schemathesis_config("http://127.0.0.1:1")
    project = config.projects.get_default()
    assert project.analysis.constants.enabled is False
    phases = project.phases
    assert not phases.fuzzing.error_feedback.is_enabled and not phases.fuzzing.extra_data_sources.responses
    assert phases.stateful.inference.algorithms == [] and not phases.stateful.link_calibration
    assert not project.checks.ignored_auth.enabled and not project.checks.unsupported_method.enabled
    assert project.generation.max_examples is None  # the toml in the working directory was not read
    surface = LoadedSurface.load("http://127.0.0.1:1")
    assert surface.schema.config.analysis.constants.enabled is False


def test_seeds_derive_from_the_run_seed_and_the_test() -> None:
    budget = FuzzBudget(examples=3, seed="abc")
    assert budget.seed_for("x") == FuzzBudget(examples=9, seed="abc").seed_for("x")
    assert budget.seed_for("x") != budget.seed_for("y") != FuzzBudget(seed="abd").seed_for("y")
    assert budget.scenarios == 9 and not FuzzBudget(examples=0).enabled
    assert FuzzBudget(examples=1).scenarios == SCENARIOS_PER_EXAMPLE == 3 and FuzzBudget(examples=0).scenarios == 0
    assert FuzzBudget(examples=4).scenarios == 12
    assert [FuzzBudget(examples=n).parts for n in (0, 1, 2, 3, 10)] == [0, 3, 6, MACHINE_PARTS, MACHINE_PARTS]
    with pytest.raises(ValueError, match="0 or more"):
        FuzzBudget(examples=-1)


def _seeded_test(drawn: list[int], *, unkeyed: bool) -> Callable[[], None]:
    @hypothesis.given(st.integers(0, 10**9))
    def test(value: int) -> None:
        drawn.append(value)

    test = hypothesis.settings(hypothesis_settings(5, shrink=False))(test)
    if unkeyed:
        test = without_database_key(test)
    return hypothesis.seed(1234)(test)


def test_a_test_without_a_database_key_skips_the_source_digest_and_draws_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain: list[int] = []
    _seeded_test(plain, unkeyed=False)()
    digests: list[object] = []
    real = hypothesis.core.function_digest
    monkeypatch.setattr(hypothesis.core, "function_digest", lambda f: digests.append(f) or real(f))
    unkeyed: list[int] = []
    _seeded_test(unkeyed, unkeyed=True)()
    assert digests == []  # the source of the test was not read
    assert unkeyed == plain and len(plain) == 5
    _seeded_test([], unkeyed=False)()
    assert len(digests) == 1  # the patched hook is the one Hypothesis calls for a keyed test


@pytest.mark.parametrize("examples", [1, 2, 3, 4, 10])
def test_the_machine_parts_share_out_every_scenario_of_the_budget(examples: int) -> None:
    budget = FuzzBudget(examples=examples, seed="abc")
    shares = [budget.scenarios_in(part) for part in range(budget.parts)]
    assert sum(shares) == budget.scenarios and min(shares) >= 1 and max(shares) - min(shares) <= 1
    assert shares == sorted(shares, reverse=True)  # the first parts take the rest
    with pytest.raises(ValueError, match="part"):
        budget.scenarios_in(budget.parts)


def test_each_machine_part_has_its_own_seed_from_the_run_seed() -> None:
    from conformance.fuzz.machine import part_seed_name

    budget = FuzzBudget(examples=3, seed="abc")
    seeds = [budget.seed_for(part_seed_name(part)) for part in range(MACHINE_PARTS)]
    assert len(set(seeds)) == MACHINE_PARTS
    assert seeds == [FuzzBudget(examples=10, seed="abc").seed_for(part_seed_name(p)) for p in range(MACHINE_PARTS)]
    assert seeds[0] != FuzzBudget(examples=3, seed="abd").seed_for(part_seed_name(0))
