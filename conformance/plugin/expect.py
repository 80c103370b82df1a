"""Known deviations in the plugin: load ``--stripe-expect`` files, skip what is expected to skip, apply.

Order of precedence (later wins, per requirement ID): the target profile's expectations, then
each ``--stripe-expect`` file in the order given.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from conformance.exit_codes import EXIT_USAGE
from conformance.expectations import Expectations, ExpectationsError, apply_expectations, load_expectations
from conformance.plugin.profiles import session_profile
from conformance.plugin.run_settings import run_settings
from conformance.reporting import RunReport

_EXPECTATIONS_KEY = pytest.StashKey[Expectations]()


def load_expect_files(paths: Iterable[str | Path] | None) -> Expectations:
    """Load and merge the given expectations files (raises ``ExpectationsError``)."""
    merged = Expectations()
    for path in paths or ():
        merged = merged.merge(load_expectations(Path(path)))
    return merged


class ExpectationHooks:
    """Load the expectations before anything runs, and keep ``skip`` ones from running."""

    def __init__(self, config: pytest.Config) -> None:
        """Serve ``config``'s session."""
        self._config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Load the ``--stripe-expect`` files; a bad one stops the run with exit code 2."""
        try:
            self._config.stash[_EXPECTATIONS_KEY] = load_expect_files(run_settings(self._config).expect)
        except ExpectationsError as exc:
            pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Skip scenarios whose every cited requirement is expected to ``skip``."""
        if not any(item.get_closest_marker("requirement") for item in items):
            return  # not a conformance run: stay inert
        expectations = session_expectations(self._config)
        skipped = expectations.skipped_ids()
        if not skipped:
            return
        for item in items:
            marker = item.get_closest_marker("requirement")
            if marker is None or not marker.args or not set(marker.args) <= skipped:
                continue
            reasons = dict.fromkeys(e.reason for e in (expectations.get(rid) for rid in marker.args) if e)
            item.add_marker(pytest.mark.skip(reason="expected skip: " + "; ".join(reasons)))


def session_expectations(config: pytest.Config) -> Expectations:
    """Return the run's expectations: the target profile's, overridden by ``--stripe-expect`` files."""
    files = config.stash.get(_EXPECTATIONS_KEY, Expectations())
    return _profile_expectations(config).merge(files)


def apply_session_expectations(config: pytest.Config, report: RunReport) -> RunReport:
    """Apply the run's expectations to ``report`` (unchanged when there are none)."""
    return apply_expectations(report, session_expectations(config))


def _profile_expectations(config: pytest.Config) -> Expectations:
    return session_profile(config).expectations
