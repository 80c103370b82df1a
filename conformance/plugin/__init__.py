"""The pytest plugin: options, markers, fixtures and the hooks that build the run's report.

It is inert until asked: it registers its options and the ``requirement`` marker, and acts only
on tests that carry that marker, or when one of its options is given.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from conformance import __version__
from conformance.checks import ConformanceError, Failure
from conformance.plugin.fixtures import (
    _idempotency_counter,
    check,
    stripe_client,
    stripe_run_id,
    stripe_target,
    stripe_transport,
)
from conformance.plugin.options import add_options
from conformance.plugin.state import PHASES_KEY, STATE_KEY, VERIFIER_KEY, SessionState, utc_now
from conformance.reporting import (
    RunReport,
    TargetInfo,
    TestOutcome,
    aggregate,
    console_summary,
    write_json_report,
    write_junit,
)
from conformance.requirements import load_catalogue
from conformance.targets import ConfigError, PreflightError, TargetConfig, preflight

__all__ = [
    "_idempotency_counter",
    "check",
    "stripe_client",
    "stripe_run_id",
    "stripe_target",
    "stripe_transport",
]

# Cassette recording/replay, the run seed and report redaction (options, hooks, fixtures).
pytest_plugins = ["conformance.plugin.recording"]

EXIT_CONFIG = 2
EXIT_UNREACHABLE = 3


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the plugin's option group."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the session state."""
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalogue requirement IDs this scenario verifies"
    )
    config.stash[STATE_KEY] = SessionState()
    config.pluginmanager.register(OutcomeCollector(config), "stripe-conformance-collector")


class OutcomeCollector:
    """Collect scenario outcomes from reports (on the controller when running with xdist workers)."""

    def __init__(self, config: pytest.Config) -> None:
        """Collect into ``config``'s session state."""
        self._config = config

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Take the outcome a finished scenario carries in its teardown report."""
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == _OUTCOME_PROPERTY and isinstance(value, dict):
                self._config.stash[STATE_KEY].outcomes.append(TestOutcome.from_dict(value))


def pytest_sessionstart(session: pytest.Session) -> None:
    """With ``--stripe-target``: refuse live keys, then preflight, before any scenario runs."""
    config = session.config
    url = config.getoption("stripe_target")
    if not url or hasattr(config, "workerinput"):
        return
    try:
        target = TargetConfig.build(
            url,
            config.getoption("stripe_api_key"),
            stripe_version=config.getoption("stripe_version"),
            allow_live_key=config.getoption("stripe_allow_live_key"),
            name=config.getoption("stripe_target_name") or "custom",
        )
    except ConfigError as exc:
        pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_CONFIG)
    if not config.getoption("stripe_no_preflight"):
        try:
            preflight(target)
        except PreflightError as exc:
            pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_UNREACHABLE)
    config.stash[STATE_KEY].target = target


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember each phase's report, and turn a finished scenario into a ``TestOutcome``."""
    report = yield
    if item.get_closest_marker("requirement") is None:
        return report
    phases = item.stash.setdefault(PHASES_KEY, {})
    phases[report.when] = report
    if call.excinfo is not None and isinstance(call.excinfo.value, ConformanceError):
        verifier = item.stash.get(VERIFIER_KEY, None)
        known = verifier.failures if verifier is not None else []
        extra = [f for f in call.excinfo.value.failures if f not in known]
        item.stash.setdefault(_EXTRA_FAILURES, []).extend(extra)
    if report.when == "teardown":
        # Carried on the report so that it reaches the controller under pytest-xdist too.
        report.user_properties.append((_OUTCOME_PROPERTY, _outcome(item, phases).to_dict()))
    return report



_EXTRA_FAILURES = pytest.StashKey[list[Failure]]()
_OUTCOME_PROPERTY = "stripe_conformance_outcome"


def _outcome(item: pytest.Item, phases: dict[str, pytest.TestReport]) -> TestOutcome:
    marker = item.get_closest_marker("requirement")
    cited = tuple(marker.args) if marker else ()
    verifier = item.stash.get(VERIFIER_KEY, None)
    found = (verifier.failures if verifier else []) + item.stash.get(_EXTRA_FAILURES, [])
    failures = tuple(f.to_dict() for f in found)
    passed = tuple(verifier.passed) if verifier else ()
    setup, body = phases.get("setup"), phases.get("call")
    detail = None
    if setup is not None and setup.failed:
        outcome, detail = "error", _brief(setup)
    elif setup is not None and setup.skipped:
        outcome, detail = "skipped", _skip_reason(setup)
    elif body is not None and body.skipped:
        outcome, detail = "skipped", _skip_reason(body)
    elif body is not None and body.failed:
        outcome, detail = "failed", _brief(body)
    else:
        outcome = "passed"
    teardown = phases.get("teardown")
    if teardown is not None and teardown.failed and outcome == "passed":
        outcome, detail = "error", "teardown: " + _brief(teardown)
    duration = sum(r.duration for r in phases.values())
    return TestOutcome(item.nodeid, cited, outcome, passed, failures, detail, duration)


def _brief(report: pytest.TestReport) -> str:
    text = report.longreprtext.strip().splitlines()
    return text[-1][:300] if text else report.outcome


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def build_report(config: pytest.Config) -> RunReport | None:
    """Return the run's report, or None when no requirement-citing scenario ran."""
    state = config.stash[STATE_KEY]
    if not state.outcomes and not state.errors:
        return None
    target = state.target
    info = (
        TargetInfo(target.display_url, target.stripe_version, target.name)
        if target is not None
        else TargetInfo("(not started)", config.getoption("stripe_version") or "2023-08-16")
    )
    return RunReport(
        tool_version=__version__,
        target=info,
        started=state.started,
        finished=utc_now(),
        requirements=aggregate(state.outcomes, load_catalogue()),
        errors=tuple(state.errors),
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the reports and set the exit status from the requirement verdicts."""
    if hasattr(session.config, "workerinput"):
        return
    report = build_report(session.config)
    if report is None:
        return
    session.config.stash[_REPORT_KEY] = report
    directory = session.config.getoption("stripe_report_dir")
    if directory:
        write_json_report(report, Path(directory))
        write_junit(report, Path(directory))
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        session.exitstatus = pytest.ExitCode.OK if report.conforms else pytest.ExitCode.TESTS_FAILED


_REPORT_KEY = pytest.StashKey[RunReport]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print counts per area and the failed requirement IDs."""
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        return
    terminalreporter.section("stripe-conformance")
    terminalreporter.write_line(console_summary(report))
    directory = config.getoption("stripe_report_dir")
    if directory:
        terminalreporter.write_line(f"reports: {Path(directory) / 'report.json'}, junit.xml")
