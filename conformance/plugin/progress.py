"""A live progress display: requirements checked so far, per area, while the scenarios run.

On a terminal it is a progress bar with the time left and the counts per area under it
(``progress_bar``, drawn by rich); otherwise (CI logs, pipes) a plain line every ``PLAIN_EVERY``
finished scenarios and after the last one. It replaces pytest's per-test dots
for the suite's scenarios only, at the default or quiet verbosity; ``-v`` keeps pytest's own lines.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

from conformance.plugin.run_settings import run_settings
from conformance.reporting import TestOutcome, aggregate
from conformance.reporting.aggregate import PRECEDENCE
from conformance.requirements import AREAS, load_catalogue

if TYPE_CHECKING:
    from conformance.plugin.progress_bar import ProgressBar

OUTCOME_PROPERTY = "stripe_conformance_outcome"
MODES = ("auto", "tty", "plain", "off")
PLAIN_EVERY = 10


class ProgressDisplay:
    """Count requirement verdicts per area as scenario outcomes arrive, and show them."""

    def __init__(self, config: pytest.Config, *, live: bool) -> None:
        """Show on ``config``'s terminal; ``live`` redraws one line, otherwise plain lines."""
        self._config = config
        self._live = live
        self._statuses: dict[str, str] = {}
        self._areas: dict[str, str] = {}
        self._done = 0
        self._total = 0
        self._bar: ProgressBar | None = None

    @staticmethod
    def wanted(config: pytest.Config) -> ProgressDisplay | None:
        """Return a display if this run should have one (suite options given, quiet verbosity)."""
        settings = run_settings(config)
        mode = settings.progress
        if mode == "off" or hasattr(config, "workerinput") or config.get_verbosity() > 0:
            return None
        if not (settings.target or settings.report_dir):
            return None
        live = mode == "tty" or (mode == "auto" and sys.stdout.isatty())
        return ProgressDisplay(config, live=live)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Under pytest-xdist, this display stands for xdist's worker status line.

        At quiet verbosity xdist's status says only "bringing up nodes..." and says it twice (once
        from its reporter plugin, once when collection completes); without the plugin it says it once.
        """
        manager = self._config.pluginmanager
        status = manager.get_plugin("terminaldistreporter")
        if status is not None and self._config.get_verbosity() < 0:
            manager.unregister(status)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Count the scenarios to run (unknown under xdist, where the controller collects nothing)."""
        self._total = sum(1 for item in session.items if item.get_closest_marker("requirement"))
        reporter = self._reporter()
        if reporter is not None:
            reporter.showfspath = False

    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(
        self, report: pytest.TestReport | pytest.CollectReport
    ) -> Generator[None, Any, Any]:
        """Drop pytest's letter for the suite's scenarios: the progress line stands for it.

        The word stays: the short test summary prints it (``FAILED``) before each node id.
        """
        result = yield
        if isinstance(report, pytest.TestReport) and "requirement" in report.keywords and result:
            return (result[0], "", result[2])
        return result

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Fold a finished scenario's outcome into the counts and show them."""
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == OUTCOME_PROPERTY and isinstance(value, dict):
                self._add(TestOutcome.from_dict(value))
                self._show()

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """Under pytest-xdist: every worker collects the whole selection, so any one gives the total."""
        self._total = self._total or len(ids)

    def pytest_sessionfinish(self) -> None:
        """Leave the bar's last state on screen so the summary starts on a fresh line."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def line(self) -> str:
        """Return the current progress line: scenarios done, then passed/checked per area."""
        done = f"{self._done}/{self._total}" if self._total else str(self._done)
        return f"stripe-conformance [{done}] " + " · ".join(f"{area} {cells}" for area, cells in self.area_cells())

    def area_cells(self) -> list[tuple[str, str]]:
        """Return ``(area, "passed/checked (n failing)")`` for each area seen so far, in catalogue order."""
        per_area: dict[str, dict[str, int]] = {}
        for rid, status in self._statuses.items():
            counts = per_area.setdefault(self._areas[rid], {"passed": 0, "checked": 0, "failing": 0})
            counts["checked"] += 1
            counts["passed"] += status == "passed"
            counts["failing"] += status in ("failed", "error")
        ordered = sorted(per_area.items(), key=lambda item: AREAS.index(item[0]) if item[0] in AREAS else len(AREAS))
        return [
            (area, f"{c['passed']}/{c['checked']}" + (f" ({c['failing']} failing)" if c["failing"] else ""))
            for area, c in ordered
        ]

    def _add(self, outcome: TestOutcome) -> None:
        self._done += 1
        for result in aggregate([outcome], load_catalogue()):
            previous = self._statuses.get(result.id)
            if previous is None or PRECEDENCE[result.status] > PRECEDENCE.get(previous, 0):
                self._statuses[result.id] = result.status
            self._areas[result.id] = result.area

    def _show(self) -> None:
        reporter = self._reporter()
        if reporter is None:
            return
        if self._live:
            if self._bar is None:
                from conformance.plugin.progress_bar import ProgressBar  # rich: only on a terminal

                self._bar = ProgressBar(reporter, width=max(shutil.get_terminal_size().columns - 1, 40))
            self._bar.update(self._done, self._total, self.area_cells())
        elif self._done % PLAIN_EVERY == 0 or self._done == self._total:
            reporter.write_line(self.line())

    def _reporter(self) -> pytest.TerminalReporter | None:
        plugin = self._config.pluginmanager.get_plugin("terminalreporter")
        return plugin if isinstance(plugin, pytest.TerminalReporter) else None
