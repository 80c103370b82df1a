"""The pytest plugin: options, markers, fixtures and the hooks that build the run's report.

It is inert until asked: it registers its options and the ``requirement`` marker, and acts only
on tests that carry that marker, or when one of its options is given.
"""

from __future__ import annotations

import contextlib
import sys
from collections import Counter
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from conformance import __version__
from conformance.checks import Blocked, ConformanceError, Failure, TransportFailure, Unsupported
from conformance.exit_codes import EXIT_UNREACHABLE, EXIT_USAGE
from conformance.http import RateLimitedError, TransportError
from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.ratelimit import SharedRateLimiter
from conformance.http.traffic import Traffic, traffic_so_far
from conformance.plugin.allure_labels import write_run_files
from conformance.plugin.expect import apply_session_expectations
from conformance.plugin.fixtures import (
    _idempotency_counter,
    check,
    stripe_card_paths,
    stripe_client,
    stripe_known_deviations,
    stripe_now,
    stripe_profile,
    stripe_random,
    stripe_run_id,
    stripe_seed,
    stripe_target,
    stripe_transport,
)
from conformance.plugin.network import deadline_passed, start_deadline, transport_settings
from conformance.plugin.ordering import MARKER_HELP, long_scenarios_first
from conformance.plugin.profiles import (
    FEATURE_MARKER,
    profile_card_paths,
    session_profile,
    skip_unclaimed_features,
)
from conformance.plugin.recording import (
    RECORDING_KEY,
    close_recording,
    configure_recording,
    finish_recording,
    recording_summary,
    redact_logging,
    replay_transport,
)
from conformance.plugin.report_plugins import pytest_cmdline_main as pytest_cmdline_main
from conformance.plugin.report_plugins import register_reporting
from conformance.plugin.run_end import DEADLINE_REASON, NOT_RUN_PREFIX, WORKER_TRAFFIC, RunEnd, probe_ledger
from conformance.plugin.run_settings import HANDOFF, add_options, given_run, run_settings, settings_error_exit
from conformance.plugin.state import PHASES_KEY, STATE_KEY, VERIFIER_KEY, SessionState, utc_now
from conformance.reporting import (
    REPORT_FILES,
    RunReport,
    TargetInfo,
    TestOutcome,
    aggregate,
    console_summary,
    root_causes,
    write_reports,
)
from conformance.reporting.model import VERDICT_CONFORMS, VERDICT_PARTIAL
from conformance.reporting.not_run import add_not_run
from conformance.requirements import load_catalogue
from conformance.selection import Shard
from conformance.settings import BY_NAME, SettingsError
from conformance.targets import ConfigError, PreflightError, TargetConfig, check_key_is_safe, preflight
from conformance.targets.card_paths import CardPaths, root_cause
from conformance.targets.cleanup import RUN_METADATA_KEY
from conformance.targets.ledger import LedgerTransport
from conformance.targets.preflight import probe_client

# Checked before any other plugin configures itself: output directories that cannot be written.
pytest_plugins = ["conformance.plugin.output_check"]

__all__ = [
    "_idempotency_counter",
    "check",
    "stripe_card_paths",
    "stripe_client",
    "stripe_known_deviations",
    "stripe_now",
    "stripe_profile",
    "stripe_random",
    "stripe_run_id",
    "stripe_seed",
    "stripe_target",
    "stripe_transport",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the plugin's option group."""
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the session state."""
    config.addinivalue_line(
        "markers", "requirement(*ids): the catalogue requirement IDs this scenario verifies"
    )
    config.addinivalue_line(
        "markers",
        f"{FEATURE_MARKER}(*features): target features this scenario needs (conformance.targets.profile.FEATURES); "
        "skipped with the reason on a target whose profile does not claim them",
    )
    config.addinivalue_line("markers", MARKER_HELP)
    config.addinivalue_line(
        "markers", "fuzz: property-based and stateful fuzzing of the surface (deselect with -m 'not fuzz')"
    )
    try:
        run_settings(config)
    except SettingsError as exc:
        settings_error_exit(exc)
    config.stash[STATE_KEY] = _session_state(config)
    config.pluginmanager.register(OutcomeCollector(config), "stripe-conformance-collector")
    register_reporting(config)
    configure_recording(config)  # a replay aims the settings at its recording
    config.pluginmanager.register(RunEnd(config), "stripe-conformance-run-end")


def _session_state(config: pytest.Config) -> SessionState:
    """A fresh state; xdist workers take the controller's run id."""
    state = SessionState()
    handoff = getattr(config, "workerinput", {}).get(HANDOFF)
    if handoff:
        state.run_id = handoff["run_id"]
        state.setup = handoff.get("setup")
        state.key_nonce = handoff.get("key_nonce", state.key_nonce)
        state.rate_slots = handoff.get("rate_slots")
    given = given_run(config)
    if given is not None and given.traffic_since is not None:
        state.traffic_since = given.traffic_since
    if given is not None and given.target is not None:
        state.target = given.target
    elif handoff and handoff.get("target"):
            state.target = TargetConfig(**handoff["target"])  # validated by the controller: not built again
    return state


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Under pytest-xdist: give every worker the controller's run id, settings, validated target and setup probe.

    They travel over xdist's channel, never through argv or the environment (the key is among them).
    """
    state = node.config.stash[STATE_KEY]
    target = state.target
    if state.rate_slots is None:
        state.rate_slots = str(SharedRateLimiter.create())
    node.workerinput[HANDOFF] = {
        "rate_slots": state.rate_slots,
        "run_id": state.run_id,
        "setup": state.setup,
        "key_nonce": state.key_nonce,
        "settings": run_settings(node.config).to_wire(),
        "target": None if target is None else {
            "base_url": target.base_url, "api_key": target.api_key, "stripe_version": target.stripe_version,
            "name": target.name,
        },
    }


class OutcomeCollector:
    """Collect scenario outcomes from reports (on the controller when running with xdist workers)."""

    def __init__(self, config: pytest.Config) -> None:
        """Collect into ``config``'s session state."""
        self._config = config
        self._started = False

    @pytest.hookimpl(wrapper=True)
    def pytest_sessionstart(self) -> Generator[None, None, None]:
        """Note that the session has started (a ``pytest.exit`` before that is announced differently)."""
        result = yield
        self._started = True
        return result

    @pytest.hookimpl(trylast=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Say a ``pytest.exit`` raised while the session starts once, not twice.

        pytest writes such an exit's message to stderr itself (``Exit: ...``); its terminal reporter
        would then repeat it as a ``! _pytest.outcomes.Exit: ... !`` banner when it unconfigures.
        """
        if self._started or not isinstance(excinfo.value, pytest.exit.Exception):
            return
        reporter = self._config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None and hasattr(reporter, "_keyboardinterrupt_memo"):
            reporter._keyboardinterrupt_memo = None  # no public way to drop the banner

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """Under pytest-xdist: add what a finished worker sent outside its scenarios (``WorkerExit``)."""
        sent = getattr(node, "workeroutput", {}).get(WORKER_TRAFFIC)
        if isinstance(sent, dict):
            state = self._config.stash[STATE_KEY]
            state.workers_outside += Traffic(int(sent["requests"]), int(sent["rate_limited"]))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Take the outcome a finished scenario carries in its teardown report."""
        if report.when != "teardown":
            return
        for name, value in report.user_properties:
            if name == _OUTCOME_PROPERTY and isinstance(value, dict):
                self._config.stash[STATE_KEY].outcomes.append(TestOutcome.from_dict(value))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts the workers: they take the setup probe
def pytest_sessionstart(session: pytest.Session) -> None:
    """Redact pytest's log output; with a target (given, or a profile's URL): refuse live keys, then preflight.

    A target the front-end (or the xdist controller) already validated is taken as it is.
    """
    config = session.config
    redact_logging(config)
    _refuse_unsafe_key(config)
    state = config.stash[STATE_KEY]
    given = given_run(config)
    if given is not None and given.target is not None:
        state.target = given.target
    if state.target is not None:
        _probe_setup(config)
        return
    settings = run_settings(config)
    if not settings.target and not settings.profile:
        return
    try:
        profile = session_profile(config)
    except ConfigError as exc:
        pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)
    url = settings.target or (None if profile.builtin else profile.url)
    if not url:
        return
    try:
        target = TargetConfig.build(
            url,
            settings.api_key,
            stripe_version=settings.stripe_version or profile.stripe_version,
            # No target name and no profile: TargetConfig names the target by its host.
            name=settings.target_name or (profile.name if settings.profile else None),
        )
    except ConfigError as exc:
        pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)
    if not hasattr(config, "workerinput") and not settings.no_preflight:
        try:
            preflight(target, settings=transport_settings(config))
        except PreflightError as exc:
            pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_UNREACHABLE)
    state.target = target
    _probe_setup(config)


def _probe_setup(config: pytest.Config) -> None:
    """Before any scenario, outside every cassette: find which card-creation path the target accepts.

    Made once, by the controller, for a target given to the run (a replay answers only inside
    cassettes, and a target the run starts itself is the reference: both take the first path).
    """
    state = config.stash[STATE_KEY]
    if hasattr(config, "workerinput") or state.target is None or state.setup is not None:
        return
    if replay_transport(config) is not None:
        return
    client = probe_client(state.target, settings=transport_settings(config))
    client.transport = LedgerTransport(client.transport, probe_ledger(config))  # its customer is the run's too
    paths = CardPaths(
        client,
        paths=profile_card_paths(session_profile(config)),
        metadata={RUN_METADATA_KEY: state.run_id},
    )
    with contextlib.suppress(Blocked, Unsupported):
        paths.resolve()
    state.setup = paths.record()


def _refuse_unsafe_key(config: pytest.Config) -> None:
    """On a suite run, refuse a live or malformed key before anything connects (the built-in server included)."""
    settings = run_settings(config)
    key = settings.api_key
    explicit = "--stripe-api-key" in " ".join(config.invocation_params.args)
    if not key or not (settings.target or settings.profile or settings.report_dir or explicit):
        return
    try:
        check_key_is_safe(key)
    except ConfigError as exc:
        pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Keep this run's shard (``--stripe-shard``), long scenarios first if concurrent; skip unclaimed features.

    It runs after ``-k``/``-m`` have deselected, so shards split the selected scenarios only.
    """
    _keep_shard(config, items)
    long_scenarios_first(config, items)
    if not any(item.get_closest_marker(FEATURE_MARKER) for item in items):
        return
    try:
        profile = session_profile(config)
    except ConfigError as exc:
        pytest.exit(f"stripe-conformance: error: {exc}", returncode=EXIT_USAGE)
    skip_unclaimed_features(items, profile)


def _keep_shard(config: pytest.Config, items: list[pytest.Item]) -> None:
    config.stash[STATE_KEY].selected_requirements = {
        rid for item in items for marker in item.iter_markers("requirement") for rid in marker.args
    }
    spec = run_settings(config).shard
    if not spec:
        return
    kept, dropped = Shard.parse(spec).select(items)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Start the deadline clock with the first scenario; once it has run out, report the rest as not run."""
    if item.get_closest_marker("requirement") is None:
        return
    item.stash[_TRAFFIC_AT_SETUP] = traffic_so_far()
    start_deadline(item.config)
    if deadline_passed(item.config):
        pytest.skip(DEADLINE_REASON.format(seconds=run_settings(item.config).deadline))


INFRASTRUCTURE = "infrastructure: "


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
    if call.excinfo is not None and report.when in ("setup", "call"):
        _judge_transport_error(item, report, call.excinfo.value)
        _judge_precondition(item, report, call.excinfo.value)
    if call.excinfo is not None and isinstance(call.excinfo.value, ConformanceError):
        verifier = item.stash.get(VERIFIER_KEY, None)
        known = verifier.failures if verifier is not None else []
        extra = [f for f in call.excinfo.value.failures if f not in known]
        item.stash.setdefault(_EXTRA_FAILURES, []).extend(extra)
    if report.when == "teardown":
        sent = traffic_so_far() - item.stash.get(_TRAFFIC_AT_SETUP, traffic_so_far())
        state = item.config.stash[STATE_KEY]
        state.in_scenarios += sent
        # Carried on the report so that it reaches the controller under pytest-xdist too.
        report.user_properties.append((_OUTCOME_PROPERTY, _outcome(item, phases, sent).to_dict()))
    return report



def _judge_transport_error(item: pytest.Item, report: pytest.TestReport, exc: BaseException) -> None:
    """A 429 that outlived the retries is noise, not a verdict; no usable answer fails the cited requirements."""
    if isinstance(exc, RateLimitedError):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"{INFRASTRUCTURE}{exc}; not a conformance verdict")
    elif isinstance(exc, TransportError) and report.when == "call":
        marker = item.get_closest_marker("requirement")
        message = f"no usable response to {exc.request.method} {exc.request.path}: {exc}"
        item.stash.setdefault(_EXTRA_FAILURES, []).extend(
            TransportFailure.from_exchange(rid, message, request=exc.request) for rid in (marker.args if marker else ())
        )


def _judge_precondition(item: pytest.Item, report: pytest.TestReport, exc: BaseException) -> None:
    """A scenario that raised ``Blocked``/``Unsupported`` judged nothing: keep its root cause, not an error."""
    if not isinstance(exc, Blocked | Unsupported):
        return
    if _ROOT_CAUSE not in item.stash:
        item.stash[_ROOT_CAUSE] = root_cause(exc)
    report.outcome = "skipped"
    report.longrepr = (str(item.path), item.location[1] or 0, str(exc))


_ROOT_CAUSE = pytest.StashKey[dict[str, Any]]()
_TRAFFIC_AT_SETUP = pytest.StashKey[Traffic]()
_EXTRA_FAILURES = pytest.StashKey[list[Failure]]()
_OUTCOME_PROPERTY = "stripe_conformance_outcome"


def _outcome(item: pytest.Item, phases: dict[str, pytest.TestReport], sent: Traffic) -> TestOutcome:
    marker = item.get_closest_marker("requirement")
    cited = tuple(marker.args) if marker else ()
    verifier = item.stash.get(VERIFIER_KEY, None)
    found = (verifier.failures if verifier else []) + item.stash.get(_EXTRA_FAILURES, [])
    failures = tuple(f.to_dict() for f in found)
    passed = tuple(verifier.passed) if verifier else ()
    observations = dict(verifier.passed) if verifier else {}
    unassessed = dict(verifier.unassessed) if verifier else {}
    setup, body = phases.get("setup"), phases.get("call")
    detail = None
    cause = item.stash.get(_ROOT_CAUSE, None)
    if cause is not None:
        outcome, detail = cause["kind"], cause["reason"]
    elif setup is not None and setup.failed:
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
    root = {key: cause[key] for key in ("id", "reason", "evidence")} if cause is not None else None
    return TestOutcome(
        item.nodeid,
        cited,
        outcome,
        passed,
        failures,
        detail,
        duration,
        root_cause=root,
        observations=observations,
        unassessed=unassessed,
        requests=sent.requests,
        rate_limited=sent.rate_limited,
    )


def _brief(report: pytest.TestReport) -> str:
    """The failure's message in one line: the exception line pytest marks ``E``, else the last line."""
    lines = report.longreprtext.strip().splitlines()
    marked = [line[1:].strip() for line in lines if line.startswith("E ")]
    text = " ".join(" ".join(marked).split()) if marked else (lines[-1].strip() if lines else "")
    return text[:300] or report.outcome


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def build_report(config: pytest.Config) -> RunReport | None:
    """Return the run's report, or None when no requirement-citing scenario ran."""
    state = config.stash[STATE_KEY]
    if state.input_error or not (state.outcomes or state.errors or state.pending):
        return None
    target = state.target
    catalogue = load_catalogue()
    ran = [o for o in state.outcomes if not (o.detail or "").startswith(NOT_RUN_PREFIX)]
    info = (
        TargetInfo(target.display_url, target.stripe_version, target.name)
        if target is not None
        else TargetInfo("(not started)", run_settings(config).stripe_version or DEFAULT_STRIPE_VERSION)
    )
    results = add_not_run(aggregate(ran, catalogue), state.pending, catalogue)
    outside = state.outside_scenarios()
    return RunReport(
        tool_version=__version__,
        target=info,
        started=state.started,
        finished=utc_now(),
        requirements=results,
        errors=tuple(state.errors),
        setup=state.setup,
        root_causes=root_causes(ran, results),
        outcome=state.outcome,
        selection=dict(state.selection),
        teardown_failures=tuple(state.teardown_failures),
        scenarios=tuple(ran),
        strict=run_settings(config).strict,
        requests_outside=outside.requests,
        rate_limited_outside=outside.rate_limited,
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Write the reports and set the exit status from the requirement verdicts."""
    if hasattr(session.config, "workerinput"):
        return
    _note_unjudged(session.config)
    report = build_report(session.config)
    if report is None:
        return
    finish_recording(session.config, report)
    report = apply_session_expectations(session.config, report)
    session.config.stash[_REPORT_KEY] = report
    directory = run_settings(session.config).report_dir
    if directory:
        try:
            write_reports(report, Path(directory))
        except OSError as exc:  # checked before the run; the disk may still fill up during it
            reason = exc.strerror or type(exc).__name__
            sys.stderr.write(f"stripe-conformance: error: cannot write the reports into {directory}: {reason}\n")
            session.exitstatus = EXIT_USAGE
            return
    recording = session.config.stash.get(RECORDING_KEY, None)
    write_run_files(session.config, report, recording.seed if recording is not None else None)
    if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        passing = report.verdict in (VERDICT_CONFORMS, VERDICT_PARTIAL)
        session.exitstatus = pytest.ExitCode.OK if passing else pytest.ExitCode.TESTS_FAILED


def _note_unjudged(config: pytest.Config) -> None:
    state = config.stash[STATE_KEY]
    reason = DEADLINE_REASON.format(seconds=run_settings(config).deadline)
    missed = sum(1 for outcome in state.outcomes if outcome.detail == reason)
    if missed:
        state.errors.append(f"{reason}: {missed} scenario(s) not run")
    judged = [o for o in state.outcomes if not (o.detail or "").startswith(NOT_RUN_PREFIX)]
    if judged and all((o.detail or "").startswith(INFRASTRUCTURE) for o in judged):
        # Rate limiting is not a verdict on the target, but a run that judged nothing cannot pass a gate.
        state.errors.append("no scenario was judged: the target answered HTTP 429 (rate limited) to every one")


_REPORT_KEY = pytest.StashKey[RunReport]()


def run_report(config: pytest.Config) -> RunReport | None:
    """The report this session wrote (None before session finish, or when nothing was selected)."""
    return config.stash.get(_REPORT_KEY, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Lift a replay's network block and restore logging; the controller removes the shared limiter's file."""
    close_recording(config)
    state = config.stash.get(STATE_KEY, None)
    if state is not None and state.rate_slots and not hasattr(config, "workerinput"):
        Path(state.rate_slots).unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Print where cassettes went, counts per area and the failed requirement IDs."""
    recording_summary(terminalreporter, config)
    report = config.stash.get(_REPORT_KEY, None)
    if report is None:
        return
    state = config.stash[STATE_KEY]
    notes = [scenario_line(state.outcomes)]
    noisy = [o for o in state.outcomes if (o.detail or "").startswith(INFRASTRUCTURE)]
    if noisy:
        notes.append(
            f"infrastructure noise: {len(noisy)} scenario(s) not judged because the target kept answering "
            f"HTTP 429 (rate limited); lower {_rate_limit_flag(config)} or retry later"
        )
    directory = run_settings(config).report_dir
    if directory:
        notes.append(f"reports in {directory}: {', '.join(REPORT_FILES)}, allure-results/")
    terminalreporter.section("stripe-conformance")
    terminalreporter.write_line(console_summary(report, notes))


def scenario_line(outcomes: list[TestOutcome]) -> str:
    """Count the scenarios behind the requirement counts, labelled as such (pytest's own line counts them too)."""
    counts = Counter(outcome.outcome for outcome in outcomes)
    cells = ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda item: -item[1]))
    return f"scenarios: {len(outcomes)} run ({cells}); each checks one or more of the requirements above"


def _rate_limit_flag(config: pytest.Config) -> str:
    """How the user of this front-end spells the rate-limit option."""
    option = BY_NAME["rate_limit"]
    return option.cli_flag if given_run(config) is not None else option.pytest_flag
