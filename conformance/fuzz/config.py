"""Fuzzing configuration built in code: Schemathesis' config, Hypothesis settings, seeds.

Nothing is read from the environment or the working directory: a ``schemathesis.toml`` next
to the user, or ``CI`` being set (which makes Hypothesis load its ``ci`` profile), must not
change what a run sends, or a recorded run would not replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity

from conformance.fuzz.budget import DEFAULT_EXAMPLES, DEFAULT_SEED, STATEFUL_STEPS, FuzzBudget
from conformance.fuzz.unicode_tables import prime_utf8_table

__all__ = [
    "DEFAULT_EXAMPLES",
    "DEFAULT_SEED",
    "STATEFUL_STEPS",
    "FuzzBudget",
    "hypothesis_settings",
    "schemathesis_config",
    "without_database_key",
]

Test = TypeVar("Test", bound=Callable[..., Any])

NEGATIVE_REJECTION_STATUSES = ("400", "401", "402", "403", "404", "405", "409", "413", "414", "415", "422", "429")
"""Statuses that count as rejecting invalid data; Stripe answers 402 ``card_error`` for bad card fields."""
POSITIVE_ACCEPTANCE_STATUSES = ("2xx", "401", "403", "404", "409", "429", "5xx")
"""Statuses that do not count against valid data: 404 for an id that does not exist, 5xx judged elsewhere."""


def schemathesis_config(base_url: str) -> schemathesis.Config:
    """Return the Schemathesis configuration of a fuzz run against ``base_url``.

    Every phase that adapts generation to earlier responses is off (error feedback, data mined
    from responses, link calibration, link inference), and so is mining constants from the
    application: generated data depends only on the schema and the seed.
    """
    data: dict[str, Any] = {
        "base-url": base_url,
        "analysis": {"constants": {"enabled": False}},
        "generation": {"allow-x00": False, "codec": "utf-8", "with-security-parameters": False},
        "phases": {
            "examples": {"enabled": False},
            "coverage": {"enabled": False},
            "fuzzing": {
                "error-feedback": {"enabled": False},
                "extra-data-sources": {"responses": False},
                "operation-ordering": "none",
            },
            # Scenarios send valid data: invalid calls are the operations' examples' job.
            "stateful": {
                "inference": {"algorithms": []},
                "link-calibration": False,
                "generation": {"mode": "positive"},
            },
        },
        "checks": {
            "negative_data_rejection": {"expected-statuses": list(NEGATIVE_REJECTION_STATUSES)},
            "positive_data_acceptance": {"expected-statuses": list(POSITIVE_ACCEPTANCE_STATUSES)},
            # Stripe answers an undeclared method with 404, and sends no Allow header.
            "unsupported_method": {"enabled": False},
            "allow_header_conformance": {"enabled": False},
            # Probes without credentials triple the traffic; authentication has its own scenarios.
            "ignored_auth": {"enabled": False},
            # Judged by the suite's own schema registry and envelope check instead.
            "response_schema_conformance": {"enabled": False},
            "status_code_conformance": {"enabled": False},
            "content_type_conformance": {"enabled": False},
            "response_headers_conformance": {"enabled": False},
        },
    }
    return schemathesis.Config.from_dict(data)


def hypothesis_settings(examples: int, *, steps: int | None = None, shrink: bool = True) -> hypothesis.settings:
    """Return Hypothesis settings for one fuzz test, independent of any loaded profile.

    No example database and no reuse phase (a run depends on its seed only). With ``shrink``,
    a failure is reported as its shortest reproduction (the state machine); a single call
    (an operation's examples) is already its own reproduction and is not shrunk.
    """
    prime_utf8_table()  # before any text is generated: spares Hypothesis a 200 MB walk of Unicode
    options: dict[str, Any] = {
        "max_examples": examples,
        "database": None,
        "derandomize": False,
        "deadline": None,
        "phases": (Phase.explicit, Phase.generate, Phase.shrink) if shrink else (Phase.explicit, Phase.generate),
        "suppress_health_check": list(HealthCheck),
        "print_blob": False,
        "report_multiple_bugs": False,
        "verbosity": Verbosity.quiet,
    }
    if steps is not None:
        options["stateful_step_count"] = steps
    return hypothesis.settings(hypothesis.settings.get_profile("default"), **options)


def without_database_key(test: Test) -> Test:
    """Spare Hypothesis naming the example-database entry of a ``@given`` test that has no database.

    Hypothesis names the entry after the test function's source (``inspect.getsource``, then a
    re-tokenization) at the start of every run of the test, about 1 ms each time; a run of the suite
    starts about 115 of them (one per operation and injection). With ``database=None``
    (:func:`hypothesis_settings`) the name is never used, and the generated data comes from the
    test's ``@hypothesis.seed``, not from it, so what is sent does not change. This sets the
    private attribute Hypothesis reads the name from before computing it (Hypothesis is pinned
    exactly); if that attribute moves, the name is computed again and nothing else changes.
    """
    test._hypothesis_internal_database_key = None  # type: ignore[attr-defined]
    return test
