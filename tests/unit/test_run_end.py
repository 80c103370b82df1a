"""How a run ends: stop requests, verdicts of runs that did not complete, exit codes, merge refusals."""

import json
import os
import signal
from pathlib import Path

import pytest

from conformance.exit_codes import (
    EXIT_INCOMPLETE,
    EXIT_INTERRUPTED,
    EXIT_NONCONFORMING,
    EXIT_OK,
    EXIT_TERMINATED,
    exit_code_for,
)
from conformance.reporting import RequirementResult, RunReport, TargetInfo
from conformance.reporting.merge import MergeError, merge_reports
from conformance.reporting.not_run import NotRun, add_not_run
from conformance.requirements import load_catalogue
from conformance.selection import stopping


@pytest.fixture(autouse=True)
def fresh_stop_state():
    stopping.reset()
    yield
    stopping.reset()


def test_a_signal_raises_at_once_and_again_at_every_checkpoint_until_cleanup():
    before = signal.getsignal(signal.SIGTERM)
    with stopping.installed():
        with pytest.raises(stopping.RunStopped):
            os.kill(os.getpid(), signal.SIGTERM)
        assert stopping.outcome() == "terminated"
        with pytest.raises(stopping.RunStopped):  # swallowed somewhere (a gc callback): raised again here
            stopping.checkpoint()
        with stopping.holding():
            stopping.checkpoint()  # cleanup and reports are never interrupted
            os.kill(os.getpid(), signal.SIGINT)
        assert stopping.requested() == "SIGTERM"  # the first request wins
    assert signal.getsignal(signal.SIGTERM) is before


def test_the_first_signal_is_passed_on_and_a_copy_right_after_it_raises_nothing_more():
    passed_on = []
    remove = stopping.on_request(passed_on.append)
    try:
        with stopping.installed():
            with pytest.raises(stopping.RunStopped):
                os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)  # the controller's copy of the terminal's Ctrl-C: unwinding goes on
            with pytest.raises(stopping.RunStopped):
                stopping.checkpoint()  # the stop still holds
    finally:
        remove()
    assert passed_on == [signal.SIGINT]  # to the workers, once


def test_a_signal_repeated_after_the_gap_raises_again(monkeypatch):
    clock = iter([100.0, 100.0 + stopping.REPEAT_GAP + 0.1])
    monkeypatch.setattr(stopping.time, "monotonic", lambda: next(clock))
    with stopping.installed():
        for _ in range(2):
            with pytest.raises(stopping.RunStopped):
                os.kill(os.getpid(), signal.SIGTERM)


def test_a_signal_held_while_loading_is_raised_when_the_run_proper_starts():
    with stopping.installed(), stopping.holding():
        os.kill(os.getpid(), signal.SIGINT)
        with stopping.released(), pytest.raises(stopping.RunStopped):
            stopping.checkpoint()


def result(rid, status, reason=None):
    return RequirementResult(rid, "create", "MUST", "t", "s", status, reason=reason)


def report(*results, outcome="completed", selection=None, errors=()):
    return RunReport("0", TargetInfo("http://127.0.0.1:1", "2023-08-16"), "a", "b", tuple(results),
                     errors=tuple(errors), outcome=outcome, selection=selection or {})


@pytest.mark.parametrize(
    ("run", "verdict", "code"),
    [
        (report(result("a.b", "passed")), "CONFORMS", EXIT_OK),
        (report(result("a.b", "passed"), outcome="interrupted"), "INCOMPLETE", EXIT_INTERRUPTED),
        (report(result("a.b", "passed"), outcome="terminated"), "INCOMPLETE", EXIT_TERMINATED),
        (report(result("a.b", "passed"), outcome="deadline"), "INCOMPLETE", EXIT_INCOMPLETE),
        (report(result("a.b", "passed"), result("a.c", "not_run")), "INCOMPLETE", EXIT_INCOMPLETE),
        (report(result("a.b", "failed"), outcome="interrupted"), "DOES NOT CONFORM", EXIT_INTERRUPTED),
        (report(result("a.b", "passed"), outcome="max_failures"), "DOES NOT CONFORM", EXIT_NONCONFORMING),
        (report(result("a.b", "passed"), selection={"shard": "1/2"}), "PARTIAL", EXIT_OK),
        (report(result("a.b", "passed"), result("a.c", "not_run", "not recorded"),
                selection={"not_recorded": ["a.c"]}), "PARTIAL", EXIT_OK),
        (report(result("a.b", "failed"), selection={"shard": "1/2"}), "DOES NOT CONFORM", EXIT_NONCONFORMING),
        (report(result("a.b", "passed"), selection={"keyword": "auth", "left_out": ["a.c"]}), "PARTIAL", EXIT_OK),
        (report(result("a.b", "failed"), selection={"left_out": ["a.c"]}), "DOES NOT CONFORM", EXIT_NONCONFORMING),
    ],
    ids=["whole", "sigint", "sigterm", "deadline", "not-run", "failed-then-sigint", "max-failures", "shard",
         "replay-subset", "shard-failed", "subset-selection", "subset-failed"],
)
def test_only_a_whole_completed_run_conforms(run, verdict, code):
    assert run.verdict == verdict and run.conforms == (verdict == "CONFORMS")
    assert exit_code_for(run.verdict, run.outcome) == code


def test_requirements_never_reached_are_listed_not_run_with_the_reason():
    catalogue = load_catalogue()
    first, second = (r.id for r in list(catalogue)[:2])
    results = add_not_run(
        [result(second, "passed")],
        [NotRun("t::a", (first, second), "not run: the run was interrupted before it started")],
        catalogue,
    )
    assert [(r.id, r.status) for r in results] == [(first, "not_run"), (second, "passed")]
    assert results[0].reason == "not run: the run was interrupted before it started"
    assert results[0].tests == ("t::a",)


def test_a_requirement_the_scenarios_that_ran_did_not_observe_is_not_run_when_a_pending_one_cites_it():
    # The operations fuzz cites the machine's requirements too: stopped after the first operation,
    # what that one could not observe was left unjudged by the stop, not by the target.
    catalogue = load_catalogue()
    unobserved, blocked, passed, alone = (r.id for r in list(catalogue)[:4])
    ran = [result(unobserved, "not_assessed"), result(blocked, "blocked"), result(passed, "passed"),
           result(alone, "not_assessed")]
    pending = [NotRun("t::later", (unobserved, blocked, passed), "not run: the run was interrupted")]
    results = {r.id: r for r in add_not_run(ran, pending, catalogue)}
    assert {rid: r.status for rid, r in results.items()} == {
        unobserved: "not_run", blocked: "blocked", passed: "passed", alone: "not_assessed"}
    assert results[unobserved].reason == "not run: the run was interrupted"
    assert results[unobserved].tests[-1] == "t::later"
    # A replay's unrecorded scenario did not cut the run short: what was recorded keeps its result.
    unrecorded = [NotRun("t::later", (unobserved,), "not recorded", cut_short=False)]
    assert {r.id: r.status for r in add_not_run(ran, unrecorded, catalogue)}[unobserved] == "not_assessed"


def shard_document(index, count=2, **changes):
    document = {
        "schema_version": 1,
        "tool": {"name": "stripe-conformance", "version": "0"},
        "target": {"url": "http://127.0.0.1:9", "stripe_version": "2023-08-16", "name": "custom"},
        "started": "2026-01-01T00:00:00Z", "finished": "2026-01-01T00:01:00Z",
        "outcome": "completed", "errors": [], "requirements": [], "scenarios": [],
        "selection": {"shard": f"{index}/{count}", "seed": "s1", "keyword": None, "markexpr": None,
                      "fuzz_examples": 3, "replay": None, "requirements": []},
    }
    for key, value in changes.items():
        if key in document["selection"]:
            document["selection"][key] = value
        else:
            document[key] = value
    return Path(f"shard{index}/report.json"), document


@pytest.mark.parametrize(
    ("documents", "says"),
    [
        ([shard_document(1), shard_document(2, seed="s2")], "seed 's2' differs"),
        ([shard_document(1), shard_document(2, fuzz_examples=5)], "fuzz_examples 5 differs"),
        ([shard_document(1), shard_document(2, keyword="auth")], "keyword 'auth' differs"),
        ([shard_document(1), shard_document(2, count=3)], "is not one of 2"),
        ([shard_document(1), shard_document(1)], "already given"),
        ([shard_document(1), shard_document(2, shard=None)], "not a shard report"),
        ([shard_document(1), shard_document(2, target={"url": "http://127.0.0.1:8", "stripe_version": "2023-08-16",
                                                        "name": "custom"})], "differs from"),
    ],
    ids=["seed", "fuzz-budget", "keyword", "shard-count", "duplicate", "unsharded", "target"],
)
def test_merge_refuses_reports_of_different_runs(documents, says):
    with pytest.raises(MergeError, match=says) as refused:
        merge_reports(documents)
    assert "\n" not in str(refused.value)


def test_merge_of_one_shard_of_two_is_incomplete():
    catalogue_ids = [r.id for r in load_catalogue()][:3]
    path, document = shard_document(1)
    document["selection"]["requirements"] = catalogue_ids
    document["scenarios"] = [{"nodeid": "t::a", "cited": catalogue_ids[:1], "outcome": "passed",
                              "passed_checks": catalogue_ids[:1], "failures": [], "detail": None, "duration": 0.1}]
    merged = merge_reports([(path, json.loads(json.dumps(document)))])
    statuses = {r.id: r.status for r in merged.requirements}
    assert statuses == {catalogue_ids[0]: "passed", catalogue_ids[1]: "not_run", catalogue_ids[2]: "not_run"}
    assert merged.outcome == "incomplete" and merged.verdict == "INCOMPLETE"
    assert "shard(s) 2/2 missing" in merged.requirements[1].reason


def test_an_interrupt_landing_in_a_gc_callback_is_left_for_the_next_checkpoint(monkeypatch):
    import gc

    swallowed = []
    monkeypatch.setattr("sys.unraisablehook", swallowed.append)

    def interrupt_during_collection(phase, info):
        if phase == "start":
            os.kill(os.getpid(), signal.SIGINT)  # the handler runs here, inside the callback

    with stopping.installed():
        gc.callbacks.append(interrupt_during_collection)
        try:
            gc.collect()
        finally:
            gc.callbacks.remove(interrupt_during_collection)
        assert swallowed == []  # raised there, Python would drop it with an "ignored" traceback...
        with pytest.raises(stopping.RunStopped):
            stopping.checkpoint()  # ...so the stop waits for the next checkpoint


def test_a_stop_landing_in_a_weakref_callback_or_finalizer_is_left_for_the_next_checkpoint():
    import weakref

    made: dict[str, object] = {}
    source = "import sys\ndef remove():\n    return sys._getframe()\ndef __del__():\n    return sys._getframe()\n"
    exec(compile(source, weakref.__file__, "exec"), made)  # frames as weakref's callbacks and a finalizer have
    for name in ("remove", "__del__"):
        stopping.reset()
        stopping._handle(signal.SIGTERM, made[name]())  # raising there would only print an "ignored" traceback
        with pytest.raises(stopping.RunStopped):
            stopping.checkpoint()


def test_a_stop_request_is_rendered_from_the_frame_it_was_raised_in_only():
    from types import SimpleNamespace

    from conformance.plugin.run_end import RunEnd

    def deep(n):
        if n == 0:
            try:
                raise ValueError("what was going on")
            except ValueError:
                stopping.request("SIGINT")
                stopping.checkpoint()
        deep(n - 1)

    with pytest.raises(stopping.RunStopped) as excinfo:
        deep(30)
    assert len(excinfo.traceback) > 30
    plugin = SimpleNamespace()
    RunEnd.pytest_keyboard_interrupt(plugin, excinfo)
    assert plugin._keyboard and len(excinfo.traceback) == 1  # not 30 frames' source and arguments
    shown = excinfo.getrepr(funcargs=True)
    assert "RunStopped: SIGINT" in shown.reprcrash.message and "ValueError" not in str(shown)


def test_the_controller_passes_a_stop_on_to_its_worker_processes():
    import subprocess
    import sys
    from types import SimpleNamespace

    from conformance.plugin.run_end import RunEnd

    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        controller = SimpleNamespace(_workers=[])
        RunEnd.pytest_xdist_newgateway(controller, SimpleNamespace(_io=SimpleNamespace(popen=worker)))
        RunEnd.pytest_xdist_newgateway(controller, SimpleNamespace())  # not a local process: nothing to signal
        RunEnd._pass_on(controller, signal.SIGTERM)
        assert worker.wait(timeout=10) == -signal.SIGTERM
        RunEnd._pass_on(controller, signal.SIGTERM)  # a worker already gone is no error
    finally:
        worker.kill()
        worker.wait()


def test_a_selection_that_leaves_requirements_out_records_them():
    from conformance.selection.record import selection_record

    whole = selection_record(requirements=["a.b", "a.c"], catalogue=["a.b", "a.c"])
    subset = selection_record(keyword="b", requirements=["a.b"], catalogue=["a.b", "a.c"])
    assert "left_out" not in whole and subset["left_out"] == ["a.c"]
    assert report(result("a.b", "passed"), selection=whole).verdict == "CONFORMS"
    assert report(result("a.b", "passed"), selection=subset).verdict == "PARTIAL"
