"""The fuzz scenarios' fixtures, shared by every fuzz module here: one loaded surface per run."""

import pytest

from conformance.fuzz.budget import MACHINE_PARTS
from conformance.fuzz.fixtures import budget_from, fuzz_budget, fuzz_session, fuzz_surface

__all__ = ["fuzz_budget", "fuzz_session", "fuzz_surface", "pytest_generate_tests"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Give the state machine one test per part of the run's budget (all of them, skipped, when fuzzing is off)."""
    if "part" in metafunc.fixturenames:
        parts = budget_from(metafunc.config, seed="").parts
        metafunc.parametrize("part", range(parts or MACHINE_PARTS))
