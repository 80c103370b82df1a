"""Cassettes in the pytest plugin: record or replay a run, one cassette per test, one seed per run.

A collaborator of the plugin (``conformance.plugin``), whose hooks call these functions; only the
per-test wrappers (``CassetteHooks``) are registered as hooks of their own.

``--stripe-record DIR`` records (``--stripe-record-mode``: none, once, new_episodes, all, rewrite);
``--stripe-replay DIR`` replays with record mode ``none``, the network blocked, and the target, API
version and profile taken from ``DIR/cassette-set.json`` (no preflight, no server). The run's seed
(stored in the cassette set) gives the run id and the ``stripe_seed``/``stripe_random``/``stripe_now``
fixtures, so a replayed run sends exactly the requests that were recorded.

It also passes the longrepr and captured output of scenario reports through the redaction, so what
pytest prints or writes to junit.xml holds no secret either.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

import pytest

from conformance import __version__
from conformance.exit_codes import EXIT_USAGE
from conformance.http.client import DEFAULT_STRIPE_VERSION
from conformance.http.redacted_output import redacting
from conformance.http.redaction import redact_text
from conformance.plugin.run_settings import replace_settings, run_settings
from conformance.plugin.state import STATE_KEY, VERIFIER_KEY
from conformance.recording import (
    DEFAULT_RECORD_MODE,
    CassetteSet,
    CassetteSetError,
    RecordingPlan,
    cassette_path,
    network_blocked,
    new_seed,
    open_cassette_set,
    read_cassette_set,
    run_id_for,
    write_cassette_set,
)
from conformance.recording.manifest import PLACEHOLDER_BASE_URL
from conformance.recording.session import REPLAY_API_KEY
from conformance.reporting import RunReport
from conformance.reporting.not_run import NotRun
from conformance.settings import RunSettings
from conformance.targets.config import host_name, normalise_url

if TYPE_CHECKING:
    from conformance.http.transport import Transport
    from conformance.recording import CassetteMiss
    from conformance.recording.player import ReplayTransport


@dataclass
class RunRecording:
    """How this run records or replays: the plan (None when neither), its seed, clock and manifest."""

    plan: RecordingPlan | None
    seed: str
    now: datetime
    cassette_set: CassetteSet | None = None
    exits: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    player: ReplayTransport | None = None
    drift: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """One-line notes for the end of the run (the replayed selection)."""
    recorded_selection: bool = False
    """True when a replay took its ``-k``/``-m``/shard from the cassette set: what it leaves out was not recorded."""
    set_aside: set[str] = field(default_factory=set)


RECORDING_KEY = pytest.StashKey[RunRecording]()

NOT_RECORDED = "not recorded"
"""The reason a replay gives a requirement its cassette set never recorded."""

TRAFFIC_OPTIONS = {"stripe_fuzz_examples": "fuzz_examples"}
"""Options that change what a run sends, stored with the cassettes and reused on replay.

Keys are how cassette sets store them (the pytest option's dest), values the ``RunSettings`` field.
"""


def recording_plan(settings: RunSettings) -> RecordingPlan | None:
    """Return the plan the settings ask for, or None (their combinations are checked when they are built)."""
    if settings.replay:
        return RecordingPlan.for_replay(settings.replay)
    if settings.record:
        return RecordingPlan(settings.record, settings.record_mode or DEFAULT_RECORD_MODE)
    return None


def configure_recording(config: pytest.Config) -> None:
    """Settle the run's seed and cassette set; for a replay, point the run at the recording.

    Called by the plugin's ``pytest_configure`` once the session state exists.
    """
    settings = run_settings(config)
    plan = recording_plan(settings)
    worker = hasattr(config, "workerinput")
    requested = settings.seed
    try:
        cassette_set = _cassette_set(settings, plan, requested, worker, _selection_given(config))
    except CassetteSetError as exc:
        raise pytest.UsageError(f"stripe-conformance: {exc}") from None
    seed = cassette_set.seed if cassette_set else requested or new_seed()
    now = cassette_set.recorded_datetime if cassette_set else datetime.now(UTC).replace(microsecond=0)
    recording = RunRecording(plan, seed, now, cassette_set)
    config.stash[RECORDING_KEY] = recording
    config.pluginmanager.register(CassetteHooks(), "stripe-conformance-cassettes")
    state = config.stash.get(STATE_KEY, None)
    if state is not None and not worker:
        state.run_id = run_id_for(seed)  # xdist workers receive the controller's run id
    if plan is None or cassette_set is None:
        return
    _quiet_vcr_logging(recording)
    if not plan.records:
        _aim_at_recording(config, cassette_set)
        from conformance.recording.player import ReplayTransport

        recording.player = ReplayTransport(plan)  # replays answer at the transport seam, without vcrpy
        # Only the suite's transport is answered from cassettes: anything else trying to connect fails loudly.
        recording.exits.enter_context(network_blocked("replaying cassettes"))


def _selection_given(config: pytest.Config) -> dict[str, object]:
    """The run's own ``-k``/``-m``/shard, as a cassette set stores them (empty values left out)."""
    given = {
        "keyword": getattr(config.option, "keyword", None),
        "markexpr": getattr(config.option, "markexpr", None),
        "shard": run_settings(config).shard,
    }
    return {name: value for name, value in given.items() if value}


def _selection_text(selection: dict[str, object]) -> str:
    flags = {"keyword": "-k", "markexpr": "-m", "shard": "--shard"}
    return " ".join(f"{flags[name]} {value!r}" for name, value in selection.items() if name in flags and value)


def _cassette_set(
    settings: RunSettings, plan: RecordingPlan | None, requested: str | None, worker: bool,
    selection: dict[str, object],
) -> CassetteSet | None:
    if plan is None:
        return None
    if worker or not plan.records:
        return read_cassette_set(plan.directory)
    target = settings.target
    return open_cassette_set(
        plan,
        seed=requested,
        stripe_version=settings.stripe_version or DEFAULT_STRIPE_VERSION,
        target_name=settings.target_name or (host_name(normalise_url(target)) if target else "reference"),
        base_url=target,
        tool_version=__version__,
        profile=settings.profile or (None if target else "reference"),
        options={stored: getattr(settings, field) for stored, field in TRAFFIC_OPTIONS.items()},
        selection=selection,
    )


def _aim_at_recording(config: pytest.Config, cassette_set: CassetteSet) -> None:
    """Make the run target what was recorded: its URL, version, name and profile; no preflight."""
    settings = run_settings(config)
    version = settings.stripe_version
    if version and version != cassette_set.stripe_version:
        raise pytest.UsageError(
            f"stripe-conformance: the cassette set was recorded with Stripe-Version {cassette_set.stripe_version}, "
            f"not {version}"
        )
    recorded = {  # a replay can only send what was recorded
        TRAFFIC_OPTIONS[name]: value
        for name, value in cassette_set.options.items()
        if name in TRAFFIC_OPTIONS and value is not None
    }
    replace_settings(
        config,
        replace(
            settings,
            target=settings.target or cassette_set.base_url,
            stripe_version=cassette_set.stripe_version,
            target_name=settings.target_name or cassette_set.target_name,
            api_key=REPLAY_API_KEY,
            no_preflight=True,
            profile=settings.profile or cassette_set.profile,
            rate_limit=0,  # nothing is sent anywhere: never wait for a rate limiter
            **recorded,
        ),
    )
    if cassette_set.selection and not _selection_given(config):
        _replay_recorded_selection(config, cassette_set.selection)


def _replay_recorded_selection(config: pytest.Config, selection: dict[str, object]) -> None:
    """Replay what the set was recorded with: its ``-k``, ``-m`` and shard (the run gave none of its own)."""
    if selection.get("keyword"):
        config.option.keyword = str(selection["keyword"])
    if selection.get("markexpr"):
        config.option.markexpr = str(selection["markexpr"])
    if selection.get("shard"):
        replace_settings(config, replace(run_settings(config), shard=str(selection["shard"])))
    recording = config.stash[RECORDING_KEY]
    recording.recorded_selection = True
    recording.notes.append(
        "replaying the selection the set was recorded with: " + _selection_text(selection)
        + " (scenarios outside it are reported not run: not recorded)"
    )


class RedactingFilter(logging.Filter):
    """A logging filter that passes each record's message through the redaction."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace the message with its redacted text (arguments merged in first)."""
        message = record.getMessage()
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


def _suite_run(config: pytest.Config) -> bool:
    settings = run_settings(config)
    return bool(settings.target or settings.report_dir or settings.api_key)


def _redact_log_handlers(config: pytest.Config, recording: RunRecording) -> None:
    """Redact what pytest's ``--log-file`` and live-log handlers write."""
    logging_plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in ("log_file_handler", "log_cli_handler"):
        handler = getattr(logging_plugin, name, None)
        if isinstance(handler, logging.Handler):
            redacting = RedactingFilter()
            handler.addFilter(redacting)
            recording.exits.callback(handler.removeFilter, redacting)


def _quiet_vcr_logging(recording: RunRecording) -> None:
    """Keep vcrpy's logger to warnings while cassettes run: it logs whole unredacted responses below that."""
    logger = logging.getLogger("vcr")
    previous = logger.level
    logger.setLevel(max(previous, logging.WARNING))
    recording.exits.callback(logger.setLevel, previous)


def redact_logging(config: pytest.Config) -> None:
    """Once pytest's logging plugin exists (session start): redact its log file and live log, and the terminal."""
    recording = config.stash.get(RECORDING_KEY, None)
    if recording is not None and (recording.plan is not None or _suite_run(config)):
        _redact_log_handlers(config, recording)
        _redact_terminal(config, recording)


def _redact_terminal(config: pytest.Config, recording: RunRecording) -> None:
    """Pass what pytest's terminal reporter writes (progress, failures, summaries) through the redaction."""
    writer = config.get_terminal_writer()
    original = getattr(writer, "_file", None)
    if original is None:
        return
    writer._file = redacting(original)

    def restore() -> None:
        writer._file.flush()
        writer._file = original

    recording.exits.callback(restore)


def close_recording(config: pytest.Config) -> None:
    """Lift the network block and restore logging (at unconfigure)."""
    recording = config.stash.get(RECORDING_KEY, None)
    if recording is not None:
        recording.exits.close()


def replay_transport(config: pytest.Config) -> Transport | None:
    """The transport a replaying run answers from (the bottom of its stack), or None when not replaying."""
    recording = config.stash.get(RECORDING_KEY, None)
    return recording.player if recording is not None else None


class CassetteHooks:
    """The per-test hooks of recording: a cassette around each test, redaction of what is reported of it.

    They wrap pytest's own hooks at a fixed place (the redaction innermost, before any plugin reads a
    report), so they are registered as an object of their own rather than merged into the plugin's.
    """

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(
        self, item: pytest.Item, nextitem: pytest.Item | None
    ) -> Generator[None, object, object]:
        """Run each test (setup, call, teardown) inside its own cassette."""
        return (yield from _in_cassette(item))

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Redact what pytest and other plugins print or write about a scenario."""
        return (yield from _redacted_report(item, call))

    @pytest.hookimpl(wrapper=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> Generator[None, None, None]:
        """Replaying, once every other plugin has selected: refuse unreadable cassettes, set aside the unrecorded."""
        yield
        _keep_recorded(config, items)
        return None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        """A replay of the recorded selection: what that selection leaves out was never recorded."""
        for item in items:
            recording = item.config.stash.get(RECORDING_KEY, None)
            if recording is not None and recording.recorded_selection:
                _not_recorded(item.config, item)


def _keep_recorded(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop on an unreadable cassette (exit 2, its path); report scenarios the set never recorded as not run.

    A scenario is recorded when its cassette exists or the recording judged all of its requirements
    (one that sent nothing leaves no cassette); the others are reported not run ("not recorded"),
    never run against an empty cassette.
    """
    recording = config.stash.get(RECORDING_KEY, None)
    if recording is None or recording.player is None or recording.cassette_set is None or recording.plan is None:
        return
    from conformance.recording.player import unreadable_cassette

    directory, judged = recording.plan.directory, recording.cassette_set.results
    state = config.stash[STATE_KEY]
    kept: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("requirement")
        cited = tuple(marker.args) if marker else ()
        path = cassette_path(directory, item.nodeid)
        problem = unreadable_cassette(path)
        if problem is not None:
            state.input_error = f"{path}: {problem}"
            pytest.exit(f"stripe-conformance: error: cassette {path} cannot be read: {problem}", returncode=EXIT_USAGE)
        if path.is_file() or not cited or all(rid in judged for rid in cited):
            kept.append(item)
            continue
        _not_recorded(config, item)
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def _not_recorded(config: pytest.Config, item: pytest.Item) -> None:
    recording = config.stash[RECORDING_KEY]
    marker = item.get_closest_marker("requirement")
    if marker is None or item.nodeid in recording.set_aside:
        return
    recording.set_aside.add(item.nodeid)
    state = config.stash[STATE_KEY]
    state.pending.append(NotRun(item.nodeid, tuple(marker.args), NOT_RECORDED, cut_short=False))
    state.not_recorded.update(marker.args)


def _in_cassette(item: pytest.Item) -> Generator[None, object, object]:
    """Run each test (setup, call, teardown) inside its own cassette."""
    recording = item.config.stash.get(RECORDING_KEY, None)
    if recording is None or recording.plan is None:
        return (yield)
    marker = item.get_closest_marker("requirement")
    path = cassette_path(recording.plan.directory, item.nodeid)
    cited = tuple(marker.args) if marker else ()
    if recording.player is not None:
        with recording.player.playing(path, label=item.nodeid, cited=cited, on_miss=partial(_note_miss, item)):
            return (yield)
    from conformance.recording import use_cassette  # vcrpy is imported only for runs that record

    with use_cassette(path, recording.plan, label=item.nodeid, cited=cited, on_miss=partial(_note_miss, item)):
        return (yield)


def _note_miss(item: pytest.Item, miss: CassetteMiss) -> None:
    """Record a miss with the scenario's verifier, so it fails the scenario even if something swallows it."""
    verifier = item.stash.get(VERIFIER_KEY, None)
    if verifier is not None:
        verifier.failures.extend(f for f in miss.failures if f not in verifier.failures)


def _redacted_report(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Redact what pytest and other plugins print or write about a scenario: failure text, captured output.

    The exception's own message is redacted before the report is built, so every plugin that quotes
    it (pytest's traceback, junit, Allure's status details) sees the redacted text.
    """
    recording = item.config.stash.get(RECORDING_KEY, None)
    if item.get_closest_marker("requirement") is None and (recording is None or recording.plan is None):
        return (yield)
    if call.excinfo is not None:
        _redact_exception(call.excinfo.value)
    report = yield
    if report.longrepr is not None:
        text = report.longreprtext
        clean = redact_text(text)
        if clean != text:
            report.longrepr = _redacted_longrepr(report.longrepr, clean)
    report.sections = [(title, redact_text(content)) for title, content in report.sections]
    return report


def _redact_exception(exc: BaseException) -> None:
    clean = tuple(redact_text(arg) if isinstance(arg, str) else arg for arg in exc.args)
    if clean != exc.args:
        exc.args = clean
    message = getattr(exc, "msg", None)  # pytest.fail/skip keep their text here, and show it from here
    if isinstance(message, str) and redact_text(message) != message:
        exc.msg = redact_text(message)  # type: ignore[attr-defined]


def _redacted_longrepr(longrepr: object, clean: str) -> tuple[str, int, str] | str:
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return (str(longrepr[0]), int(longrepr[1]), redact_text(str(longrepr[2])))
    return clean


def finish_recording(config: pytest.Config, report: RunReport) -> None:
    """Store the recorded run's verdicts in the manifest; after a replay, compare with them.

    ``report`` is the run's report before expectations apply (on the controller only).
    """
    recording = config.stash.get(RECORDING_KEY, None)
    if recording is None or recording.plan is None or recording.cassette_set is None:
        return
    verdicts = {result.id: result.status for result in report.requirements}
    plan, recorded = recording.plan, recording.cassette_set
    recording.misses = list(
        dict.fromkeys(
            f"{failure.get('test', '?')}: {failure.get('message', '')}"
            for result in report.requirements
            for failure in result.failures
            if failure.get("kind") == "replay_mismatch"
        )
    )
    if plan.records:
        state = config.stash[STATE_KEY]
        url = state.target.base_url if state.target is not None else None
        merged = verdicts if plan.mode in ("rewrite", "all") else {**recorded.results, **verdicts}
        write_cassette_set(plan.directory, recorded.with_results(merged, None if url == PLACEHOLDER_BASE_URL else url))
    elif recorded.results:
        recording.drift = [
            f"{rid}: recorded {recorded.results.get(rid, 'not run')}, replayed {status}"
            for rid, status in sorted(verdicts.items())
            if recorded.results.get(rid) != status and status != "not_run"
        ]


def recording_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    """Say where cassettes went, and warn when a replay's verdicts differ from the recording's."""
    recording = config.stash.get(RECORDING_KEY, None)
    if recording is None or recording.plan is None or config.stash[STATE_KEY].input_error:
        return
    plan = recording.plan
    verb = "replayed" if not plan.records else f"recorded (mode {plan.mode})"
    terminalreporter.write_line(f"cassettes: {verb} {plan.directory} (seed {recording.seed})")
    for note in recording.notes:
        terminalreporter.write_line(f"cassettes: {note}")
    missing = sorted(config.stash[STATE_KEY].unrecorded())
    if missing and not plan.records:
        shown = " ".join(missing[:12]) + (" …" if len(missing) > 12 else "")
        terminalreporter.write_line(
            f"cassettes: {len(missing)} requirement(s) asked for were not recorded in {plan.directory}, "
            f"reported not run: {shown}"
        )
    if recording.misses:
        terminalreporter.write_line(f"cassettes: {len(recording.misses)} request(s) not in the cassettes:")
        for line in recording.misses[:20]:
            terminalreporter.write_line(f"  {line}")
    if recording.drift:
        terminalreporter.write_line(
            f"cassettes: {len(recording.drift)} requirement verdict(s) differ from the recorded run; the cassette "
            f"set may be stale (re-record: {plan.rerecord_hint}):"
        )
        for line in recording.drift[:20]:
            terminalreporter.write_line(f"  {line}")
