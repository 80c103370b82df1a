"""The fuzz budget: how many examples and scenarios a run spends, and the seed they derive from.

Kept free of Schemathesis and Hypothesis imports: collecting the fuzz scenarios stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass

from conformance.recording.seeds import int_seed_for
from conformance.settings.options import DEFAULT_EXAMPLES

__all__ = [
    "DEFAULT_EXAMPLES",
    "DEFAULT_SEED",
    "MACHINE_PARTS",
    "SCENARIOS_PER_EXAMPLE",
    "STATEFUL_STEPS",
    "FuzzBudget",
]

DEFAULT_SEED = "0"
"""Seed when none is given outside a run (a run always has one: ``--seed``, or a fresh one it reports)."""
STATEFUL_STEPS = 12
"""Most steps (API calls) in one state-machine scenario, the machine's invariant probes aside."""
SCENARIOS_PER_EXAMPLE = 3
"""State-machine scenarios per unit of budget: a scenario is worth several independent calls."""
MACHINE_PARTS = 9
"""Most state-machine tests a fuzzing run splits its scenarios into, so concurrent processes share them.

One test holding every scenario left one process alone with about 280 requests at the end of a
concurrent run. Each part has its own seed, derived from the run's, and runs at least one
scenario: a budget of fewer scenarios has fewer parts; together they run the budget's scenarios.
"""


@dataclass(frozen=True, slots=True)
class FuzzBudget:
    """How much to fuzz and from which seed; ``examples == 0`` turns fuzzing off."""

    examples: int = DEFAULT_EXAMPLES
    seed: str = DEFAULT_SEED
    steps: int = STATEFUL_STEPS

    def __post_init__(self) -> None:
        """Reject a negative budget."""
        if self.examples < 0:
            raise ValueError(f"fuzz examples must be 0 or more, got {self.examples}")

    @property
    def enabled(self) -> bool:
        """Tell whether any fuzzing happens."""
        return self.examples > 0

    @property
    def scenarios(self) -> int:
        """Return how many state-machine scenarios the budget buys."""
        return self.examples * SCENARIOS_PER_EXAMPLE

    @property
    def parts(self) -> int:
        """Return how many state-machine tests the scenarios are split into (none when fuzzing is off)."""
        return min(MACHINE_PARTS, self.scenarios)

    def scenarios_in(self, part: int) -> int:
        """Return how many of the budget's scenarios state-machine part ``part`` runs (the first take the rest)."""
        if not 0 <= part < self.parts:
            raise ValueError(f"state-machine part must be 0 to {self.parts - 1}, got {part}")
        share, rest = divmod(self.scenarios, self.parts)
        return share + (1 if part < rest else 0)

    def seed_for(self, name: str) -> int:
        """Return the Hypothesis seed of one fuzz test, derived from the run seed and the test's name."""
        return int_seed_for(self.seed, "fuzz", name)
