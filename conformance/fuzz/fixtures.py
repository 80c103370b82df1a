"""Fixtures of the fuzz scenarios: the budget, the loaded surface, one session per test."""

from __future__ import annotations

import pytest

from conformance.fuzz.budget import FuzzBudget
from conformance.http import StripeClient
from conformance.plugin.run_settings import run_settings
from conformance.targets import TargetConfig
from conformance.targets.card_paths import CardPaths
from conformance.targets.profile import TargetProfile


def budget_from(config: pytest.Config, seed: str) -> FuzzBudget:
    """Return the run's budget (``--stripe-fuzz-examples``, else the default for its target) under the run's seed."""
    return FuzzBudget(examples=run_settings(config).fuzz_budget, seed=seed)


@pytest.fixture(scope="session")
def fuzz_budget(request: pytest.FixtureRequest, stripe_seed: str) -> FuzzBudget:
    """How much to fuzz, and the run's seed every generated value derives from."""
    return budget_from(request.config, stripe_seed)


@pytest.fixture(scope="session")
def fuzz_surface(
    stripe_target: TargetConfig, stripe_now: object, fuzz_budget: FuzzBudget, stripe_profile: TargetProfile
) -> object:
    """The surface loaded into Schemathesis once per run (expiry years follow the run's clock).

    Operations needing a feature the target's profile does not claim are left out. The fuzz
    modules get it from the package's conftest, so they share one (each module importing it would
    make a fixture, and a schema load, of its own).
    """
    if not fuzz_budget.enabled:
        pytest.skip("fuzzing is off (--fuzz-examples 0)")
    from conformance.fuzz.session import LoadedSurface  # Schemathesis is loaded only when fuzzing

    today = stripe_now.date() if hasattr(stripe_now, "date") else None
    return LoadedSurface.load(stripe_target.base_url, today=today, profile=stripe_profile)


@pytest.fixture
def fuzz_session(
    fuzz_surface: object,
    stripe_client: StripeClient,
    fuzz_budget: FuzzBudget,
    stripe_known_deviations: frozenset[str],
    stripe_card_paths: CardPaths,
) -> object:
    """A fuzz session for one test, sending through the run's client and attaching cards by the run's path."""
    from conformance.fuzz.session import FuzzSession, LoadedSurface

    assert isinstance(fuzz_surface, LoadedSurface)
    return FuzzSession(
        fuzz_surface, stripe_client, fuzz_budget, known=stripe_known_deviations, card_paths=stripe_card_paths
    )
