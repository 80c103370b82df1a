"""How the run's requests behave, from the plugin's options: timeouts, retries, rate, deadline."""

from __future__ import annotations

import time

import pytest

from conformance.http.stack import TransportSettings
from conformance.plugin.run_settings import run_settings
from conformance.plugin.state import STATE_KEY


def transport_settings(config: pytest.Config) -> TransportSettings:
    """Return the transport settings the options ask for, the run's deadline included."""
    return run_settings(config).transport_settings(deadline=monotonic_deadline(config))


def worker_count(config: pytest.Config) -> int:
    """How many processes share the target (pytest-xdist workers), 1 without xdist."""
    workerinput = getattr(config, "workerinput", None)
    return int(workerinput.get("workercount", 1)) if workerinput else 1


def monotonic_deadline(config: pytest.Config) -> float | None:
    """The run's deadline as a ``time.monotonic()`` instant, or None (not given, or not started)."""
    return config.stash[STATE_KEY].deadline


def start_deadline(config: pytest.Config) -> None:
    """Start the ``--stripe-deadline`` clock, once per process, when its first scenario starts."""
    state = config.stash[STATE_KEY]
    budget = run_settings(config).deadline
    if budget and state.deadline is None:
        state.deadline = time.monotonic() + budget


def deadline_passed(config: pytest.Config) -> bool:
    """True once the run's deadline (``--stripe-deadline``) has passed."""
    deadline = config.stash[STATE_KEY].deadline
    return deadline is not None and time.monotonic() >= deadline


def worker_id(config: pytest.Config) -> str:
    """Return the pytest-xdist worker id followed by ``-`` (``gw0-``), or ``""`` without xdist."""
    workerinput = getattr(config, "workerinput", None)
    return f"{workerinput['workerid']}-" if workerinput else ""
