"""How a run ends: signals, scenarios never run, the run's outcome and selection, teardown from the ledger.

SIGINT and SIGTERM stop the run at the next scenario or request (``conformance.selection.stopping``);
whatever was selected and never ran is reported ``not_run`` with the reason, and the run's outcome
(interrupted, terminated, deadline, max_failures) keeps its verdict from ever being CONFORMS.
"""

from __future__ import annotations

import contextlib
import gc
import subprocess
import time
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest

from conformance.exit_codes import EXIT_INTERRUPTED, EXIT_TERMINATED
from conformance.http import StripeClient, build_transport
from conformance.http.exchange import Response
from conformance.http.stack import TransportSettings
from conformance.plugin.network import deadline_passed
from conformance.plugin.run_settings import run_settings
from conformance.plugin.state import STATE_KEY
from conformance.reporting.not_run import NotRun, everything_not_run
from conformance.requirements import load_catalogue
from conformance.selection import stopping
from conformance.selection.record import selection_record
from conformance.targets.cleanup import sweep
from conformance.targets.ledger import (
    FORM_CONTENT_TYPE,
    LEDGER_NAME,
    LedgerError,
    RunLedger,
    load_ledger,
    read_ledger,
    tear_down,
)

SIGNAL_EXITS = {"interrupted": EXIT_INTERRUPTED, "terminated": EXIT_TERMINATED}

NOT_RUN_PREFIX = "not run: "
DEADLINE_REASON = "not run: the run deadline of {seconds:g} s had passed"
MAX_FAILURES_REASON = "not run: the run stopped after {count} failed requirement(s) (--max-failures)"

_STOPPED = pytest.StashKey[int]()
WORKER_TRAFFIC = "stripe_conformance_outside_scenarios"
"""The ``workeroutput`` entry in which a pytest-xdist worker tells the controller what it sent outside scenarios."""


def request_checkpoint(config: pytest.Config) -> Callable[[], None]:
    """What runs before each request of a scenario: stop on a signal; past the deadline, end it as not run.

    A scenario still sending requests when ``--stripe-deadline`` passes is cut there and reported
    not run, so that a slow target (retries, a long fuzzing scenario) cannot hold the run past it.
    Teardown deletes do not pass here (``conformance.targets.ledger``).
    """

    def checkpoint() -> None:
        stopping.checkpoint()
        if deadline_passed(config):
            pytest.skip(DEADLINE_REASON.format(seconds=run_settings(config).deadline))

    return checkpoint


def ledger_path(config: pytest.Config) -> Path | None:
    """Where the run's ledger is written: ``ledger.jsonl`` in the report directory (none for a replay)."""
    directory = run_settings(config).report_dir
    if not directory or replaying(config):
        return None
    return Path(directory) / LEDGER_NAME


def replaying(config: pytest.Config) -> bool:
    """True when cassettes answer the run (``--stripe-replay``, or record mode ``none``): nothing is created."""
    settings = run_settings(config)
    return settings.replay is not None or (settings.record is not None and settings.record_mode == "none")


def session_ledger(config: pytest.Config) -> RunLedger:
    """Return this process's ledger of the run (made on first use, once the run id is settled)."""
    state = config.stash[STATE_KEY]
    if state.ledger is None:
        state.ledger = RunLedger(state.run_id, ledger_path(config))
    return state.ledger


def probe_ledger(config: pytest.Config) -> RunLedger:
    """The ledger the setup probe (before any scenario) records what it creates in.

    In one process it is the session's. On a pytest-xdist controller it is one that only appends
    to the run's ledger file, which the controller reads back at teardown: a ledger of its own in
    memory would hide the workers' objects from that teardown.
    """
    if config.pluginmanager.hasplugin("dsession"):
        return RunLedger(config.stash[STATE_KEY].run_id, ledger_path(config))
    return session_ledger(config)


class MaxFailures:
    """Stop the session once ``--stripe-max-failures`` requirements have failed (on the xdist controller too)."""

    def __init__(self, session: pytest.Session) -> None:
        """Watch ``session``."""
        self._session = session

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """After each scenario's teardown (its outcome is collected by then): count and maybe stop."""
        if report.when != "teardown":
            return
        config = self._session.config
        limit = run_settings(config).max_failures or 0
        count = len(failed_requirements(config))
        if count >= limit and not self._session.shouldstop:
            config.stash[_STOPPED] = count
            self._session.shouldstop = f"{count} failed requirement(s): --max-failures {limit} reached"


def failed_requirements(config: pytest.Config) -> set[str]:
    """Requirement IDs with a gating failure so far: known deviations (``--stripe-expect``, profile) excluded.

    A failed SHOULD counts only under ``--strict``; otherwise it is a warning, not a failure of the run.
    """
    from conformance.plugin.expect import session_expectations  # the expectations load lazily

    expected = session_expectations(config).failing_ids()
    state = config.stash[STATE_KEY]
    failed = {str(f["requirement_id"]) for o in state.outcomes for f in o.failures}
    if not run_settings(config).strict:
        catalogue = load_catalogue()
        failed = {rid for rid in failed if rid not in catalogue or catalogue.get(rid).level == "MUST"}
    return failed - set(expected)


class WorkerExit:
    """On a pytest-xdist worker, once the session has finished: report its traffic, freeze the heap.

    What the worker sent outside its scenarios (its final teardown) goes to the controller in
    ``workeroutput``. The heap is frozen (``gc.freeze``) so that pytest's collections at unconfigure
    and the interpreter's at exit skip the objects the worker built (Hypothesis and Schemathesis keep
    many); a stopped run waits for its workers to exit, which these passes delayed by seconds. The
    CLI's controller does the same (``conformance.cli.heap_freeze``).
    """

    def __init__(self, config: pytest.Config) -> None:
        """Serve the worker session of ``config``."""
        self._config = config

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        """Run once every other session-finish hook (the worker's teardown among them) has run."""
        workeroutput = getattr(self._config, "workeroutput", None)
        if isinstance(workeroutput, dict):
            workeroutput[WORKER_TRAFFIC] = self._config.stash[STATE_KEY].outside_scenarios().to_dict()
        gc.freeze()


class RunEnd:
    """The plugin's collaborator for how a run ends (registered by ``pytest_configure``).

    It handles SIGINT and SIGTERM for the session, starts the run's ledger file, stops before the
    next scenario once a stop was asked for, and at session finish tears down what the run left,
    then settles the outcome, what never ran and the selection, before the report is built.
    """

    def __init__(self, config: pytest.Config) -> None:
        """Serve ``config``'s session: install the signal handlers, start the ledger file afresh."""
        self._config = config
        self._restore = stopping.install()
        self._workers: list[subprocess.Popen[bytes]] = []
        self._unlisten = stopping.on_request(self._pass_on)
        self._release: Callable[[], None] | None = None
        self._keyboard = False
        self._heap_frozen = False
        path = ledger_path(config)
        if path is not None and not hasattr(config, "workerinput"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_newgateway(self, gateway: Any) -> None:
        """Note a pytest-xdist worker's process: a stop request is passed on to it at once."""
        process = getattr(getattr(gateway, "_io", None), "popen", None)  # execnet's local worker process
        if isinstance(process, subprocess.Popen):
            self._workers.append(process)

    def _pass_on(self, signum: int) -> None:
        """Send the signal that stopped this process to its workers (they would finish their queue first).

        Without it a worker hears of the stop only when xdist shuts it down, after the test it runs,
        and execnet interrupts it only 5 s after that.
        """
        for process in self._workers:
            with contextlib.suppress(OSError):
                process.send_signal(signum)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        """Watch the failed requirements when ``--max-failures`` is given; on an xdist worker, the exit too."""
        if hasattr(session.config, "workerinput"):
            session.config.pluginmanager.register(WorkerExit(session.config), "stripe-conformance-worker-exit")
        if run_settings(session.config).max_failures:
            session.config.pluginmanager.register(MaxFailures(session), "stripe-conformance-max-failures")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """On a conformance run, freeze the heap once collection (and every other collection-finish hook) is done.

        The start-up heap (pytest, Schemathesis, Hypothesis, the suite) lives until the process
        exits; frozen (``gc.freeze``), it is left out of every later full collection, pytest's two
        at unconfigure among them (the CLI's runs included). A session
        without a scenario carrying the ``requirement`` marker (another project's tests) is left alone.
        """
        if any(item.get_closest_marker("requirement") is not None for item in session.items):
            gc.freeze()
            self._heap_frozen = True

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, Any, Any]:
        """On a run whose start-up heap is frozen, freeze again once a session-scoped fixture is set up.

        What a session fixture builds lives to the end of the run. The fuzz surface is the large
        one: its fixture imports Schemathesis and Hypothesis and loads the schema after the freeze
        at collection, and the full collections that follow (Hypothesis runs one before its first
        test) would otherwise walk all of it again.
        """
        result = yield
        if self._heap_frozen and fixturedef.scope == "session":
            gc.freeze()
        return result

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None) -> None:
        """Stop before the next scenario once a signal asked for it, even if its exception was swallowed."""
        stopping.checkpoint()

    @pytest.hookimpl(tryfirst=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Tell a real interrupt (a ``KeyboardInterrupt``) from ``pytest.exit`` (a configuration error).

        A stop request's traceback is cut to the frame it was raised in before pytest's terminal
        reporter renders it: rendering the whole stack (source and arguments of every frame, deep
        inside Hypothesis while fuzzing) took seconds per process, and for a stop request pytest
        prints the one-line message only.
        """
        self._keyboard = isinstance(excinfo.value, KeyboardInterrupt)
        if isinstance(excinfo.value, stopping.RunStopped):
            shown = excinfo.traceback.filter(excinfo)[-1:]  # the frame pytest names as where it stopped
            if shown:
                excinfo.traceback = shown
                excinfo.value.__suppress_context__ = True

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Tear down, settle how the run ended and what it never ran; from here on a signal no longer interrupts."""
        config = session.config
        self._release = stopping.hold()
        state = config.stash[STATE_KEY]
        failures = _final_teardown(config)
        if hasattr(config, "workerinput") or state.input_error:
            return  # a broken input (such as an unreadable cassette) stops the run without a verdict
        path = ledger_path(config)
        if path is not None and path.is_file():
            with contextlib.suppress(LedgerError):  # the file holds every worker's objects
                failures = read_ledger(path)[1]
        state.teardown_failures = failures
        state.outcome = run_outcome(config, self._keyboard)
        if state.outcome == "completed":
            state.pending.extend(_not_run_outcomes(state))
        else:
            state.pending.extend(_unfinished(session, state.outcome))
        state.selection = _selection(config)
        code = SIGNAL_EXITS.get(state.outcome)
        if code is not None:
            session.exitstatus = code

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Give the signals back and end the cleanup hold; the session's stop request is spent."""
        if self._release is not None:
            self._release()
        self._unlisten()
        self._restore()
        if not hasattr(config, "workerinput"):
            stopping.reset()


def _final_teardown(config: pytest.Config) -> list[dict[str, Any]]:
    """Delete what this process's ledger still holds: once each, no retries, within the teardown budget."""
    state = config.stash[STATE_KEY]
    path = ledger_path(config)
    if state.target is None or replaying(config):
        return []  # nothing was created, or nothing real was (a replay)
    ledger = state.ledger
    if ledger is None and path is not None and path.is_file() and not hasattr(config, "workerinput"):
        with contextlib.suppress(LedgerError):  # the xdist controller: what workers stopped early left
            ledger = load_ledger(path, state.run_id)
    if ledger is None or not (ledger.outstanding() or ledger.uncertain):
        return []
    target = state.target
    given = run_settings(config)
    settings = TransportSettings(timeout=min(given.request_timeout, TEARDOWN_TIMEOUT), retries=0, rate=given.rate_limit)
    client = StripeClient(
        target.base_url, target.api_key, stripe_version=target.stripe_version,
        transport=build_transport(target.base_url, settings),
    )
    try:
        def retag(path: str, form: str) -> Response:
            headers = {"Content-Type": FORM_CONTENT_TYPE}
            return client.request("POST", path, headers=headers, raw_body=form.encode("ascii"))

        left = tear_down(ledger, client.delete, budget=_teardown_budget(config), retag=retag)
        found = [failure.to_dict() for failure in left]
        if ledger.uncertain:  # a create got no answer: only the run tag can find what it made
            swept = sweep(client, run_id=ledger.run_id)
            # The unanswered create may still be in the target's hands when the first sweep lists: a
            # second sweep a moment later finds what it made once it is there.
            time.sleep(UNANSWERED_GRACE)
            late = sweep(client, run_id=ledger.run_id)
            failed = {oid: why for oid, why in swept.failed if oid not in late.deleted} | dict(late.failed)
            found += [{"type": _type_of(oid), "id": oid, "status": why} for oid, why in failed.items()]
    except Exception as exc:  # the reports must still be written; the ledger keeps the objects
        return [{"type": e.type, "id": e.id, "status": f"teardown stopped: {exc}"} for e in ledger.outstanding()]
    finally:
        client.close()
    return found


def _type_of(object_id: str) -> str:
    return "webhook_endpoint" if object_id.startswith("we_") else "customer"


UNANSWERED_GRACE = 1.0
"""Seconds between the two tag sweeps after a create that got no answer (it may land after the first)."""
TEARDOWN_TIMEOUT = 10.0
"""Longest wait for one teardown delete's answer."""
TEARDOWN_MIN_BUDGET = 15.0
"""Seconds the final teardown may take at least, even when the run's deadline has passed."""


def _teardown_budget(config: pytest.Config) -> float:
    deadline = config.stash[STATE_KEY].deadline
    if deadline is None:
        return max(TEARDOWN_MIN_BUDGET, run_settings(config).deadline)
    return max(TEARDOWN_MIN_BUDGET, deadline - time.monotonic())


def run_outcome(config: pytest.Config, keyboard: bool) -> str:
    """``completed``, ``interrupted``, ``terminated``, ``max_failures`` or ``deadline``."""
    signalled = stopping.outcome()
    if signalled is not None:
        return signalled
    if config.stash.get(_STOPPED, None) is not None:
        return "max_failures"
    if keyboard:
        return "interrupted"
    state = config.stash[STATE_KEY]
    if any(_is_not_run(o.detail) for o in state.outcomes):
        return "deadline"
    return "completed"


def _is_not_run(detail: str | None) -> bool:
    return (detail or "").startswith(NOT_RUN_PREFIX)


def _not_run_outcomes(state: object) -> list[NotRun]:
    outcomes = getattr(state, "outcomes", [])
    return [NotRun(o.nodeid, o.cited, o.detail or "not run") for o in outcomes if _is_not_run(o.detail)]


def _unfinished(session: pytest.Session, outcome: str) -> list[NotRun]:
    """Every selected scenario without a finished outcome, with the reason the run ended."""
    state = session.config.stash[STATE_KEY]
    stopped = session.config.stash.get(_STOPPED, None)
    reason = (
        MAX_FAILURES_REASON.format(count=stopped)
        if outcome == "max_failures"
        else f"{NOT_RUN_PREFIX}the run was {outcome} before it started"
    )
    pending = _not_run_outcomes(state)
    finished = {o.nodeid for o in state.outcomes}
    items = [item for item in session.items if item.nodeid not in finished]
    for item in items:
        marker = item.get_closest_marker("requirement")
        if marker is not None:
            pending.append(NotRun(item.nodeid, tuple(marker.args), reason))
    if not session.items and _conformance_run(session.config):
        # Stopped before collection finished (or on an xdist controller, which collects nothing): every
        # selected requirement without a result is not run; with no known selection, the catalogue's.
        selected = state.selected_requirements or None
        pending.extend(everything_not_run(load_catalogue(), reason, selected))
    return pending


def _conformance_run(config: pytest.Config) -> bool:
    """True for a run of the suite (not some other test session that merely loads the plugin)."""
    state = config.stash[STATE_KEY]
    settings = run_settings(config)
    return bool(state.outcomes or state.selected_requirements or settings.report_dir or settings.target
                or settings.replay)


def _selection(config: pytest.Config) -> dict[str, object]:
    from conformance.plugin.recording import RECORDING_KEY  # the recording hooks own the seed

    recording = config.stash.get(RECORDING_KEY, None)
    state = config.stash[STATE_KEY]
    settings = run_settings(config)
    return selection_record(
        shard=settings.shard,
        keyword=getattr(config.option, "keyword", None) or None,
        markexpr=getattr(config.option, "markexpr", None) or None,
        fuzz_examples=settings.fuzz_budget,
        seed=recording.seed if recording is not None else None,
        replay=str(settings.replay) if settings.replay is not None else None,
        requirements=state.selected_requirements or {rid for o in state.outcomes for rid in o.cited},
        not_recorded=state.unrecorded(),
        catalogue=(requirement.id for requirement in load_catalogue()),
    )


