"""A run stopped by SIGINT or SIGTERM: documented exit code, every report written, nothing left behind.

Each case starts a real ``stripe-conformance run`` subprocess against a reference server this test
owns (so it can count what the run left there), waits until the run reaches a stage, signals it,
and checks the report: valid against its schema, outcome interrupted/terminated, the rest not run,
never CONFORMS.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance.http import StripeClient
from conformance.reference import ReferenceServer
from conformance.targets.cleanup import iter_objects

CLI = [sys.executable, "-m", "conformance", "run"]
KEY = "sk_test_earlyend1"
STOP_WITHIN = 10.0
EXPECTED = {signal.SIGINT: (130, "interrupted"), signal.SIGTERM: (143, "terminated")}


def left_on(url):
    client = StripeClient(url, KEY)
    return [o["id"] for path in ("/v1/customers", "/v1/webhook_endpoints") for o in iter_objects(client, path)]


def start(url, report_dir, *extra):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [*CLI, "--target", url, "--api-key", KEY, "--report-dir", str(report_dir), "-v", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def wait_for(process, stage, report_dir, timeout=120):
    """Read the run's output until ``stage`` is reached; return what it printed so far."""
    seen = []
    ends = time.monotonic() + timeout
    while time.monotonic() < ends:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if stage(line, report_dir):
            return "".join(seen)
    raise AssertionError(f"the run never reached the stage:\n{''.join(seen)[-3000:]}")


def in_scenarios(line, report_dir):
    ledger = report_dir / "ledger.jsonl"
    return "test_update.py" in line and ledger.is_file() and len(ledger.read_text().splitlines()) > 20


def in_fuzzing(line, report_dir):
    return "test_fuzz_operations.py" in line and "PASSED" in line


def in_machine(line, report_dir):
    # With several processes the state machine's parts are handed out first: once one has passed,
    # hand-written scenarios and the operations' fuzzing are still queued, whatever the timing.
    return "test_fuzz_scenarios.py" in line and "PASSED" in line


def stop(process, signum):
    process.send_signal(signum)
    sent = time.monotonic()
    output, _ = process.communicate(timeout=60)
    return process.returncode, time.monotonic() - sent, output


def check_report(report_dir, report_validator, outcome):
    report = json.loads((report_dir / "report.json").read_text())
    report_validator.validate(report)
    assert report["outcome"] == outcome and report["verdict"] != "CONFORMS" and report["conforms"] is False
    not_run = [r for r in report["requirements"] if r["status"] == "not_run"]
    assert not_run and all(r["reason"].startswith("not run: the run was") for r in not_run)
    for name in ("report.html", "summary.md", "junit.xml"):
        assert outcome in (report_dir / name).read_text()
    return report


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    ("stage", "extra"),
    [(in_scenarios, ("--fuzz-examples", "2")), (in_fuzzing, ("--fuzz-examples", "4"))],
    ids=["scenarios", "fuzzing"],
)
def test_a_signal_stops_the_run_with_reports_and_nothing_left(tmp_path, report_validator, signum, stage, extra):
    code, outcome = EXPECTED[signum]
    with ReferenceServer() as server:
        process = start(server.url, tmp_path, *extra)
        try:
            wait_for(process, stage, tmp_path)
        finally:
            returncode, took, output = stop(process, signum)
        left = left_on(server.url)
    assert returncode == code, output[-3000:]
    assert took <= STOP_WITHIN
    report = check_report(tmp_path, report_validator, outcome)
    assert report["summary"]["passed"] > 0  # what ran before the signal is reported too
    assert left == [] and report["teardown_failures"] == []
    assert f"verdict: {report['verdict']}" in output and "Traceback" not in output
    print(f"MEASURED {signum.name} in {stage.__name__}: stopped in {took:.2f} s, exit {returncode}, "
          f"{report['summary']['not_run']} not run, verdict {report['verdict']}, {len(left)} left")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_a_run_with_workers_promptly(tmp_path, report_validator, signum):
    """With ``--workers 2`` the stop reaches the workers at once, not after the tests they had queued."""
    code, outcome = EXPECTED[signum]
    with ReferenceServer() as server:
        process = start(server.url, tmp_path, "--workers", "2", "--fuzz-examples", "20")
        try:
            wait_for(process, in_machine, tmp_path)
        finally:
            returncode, took, output = stop(process, signum)
        left = left_on(server.url)
    assert returncode == code, output[-3000:]
    assert took <= STOP_WITHIN, f"stopped after {took:.1f} s"
    report = check_report(tmp_path, report_validator, outcome)
    assert report["summary"]["passed"] > 0
    assert left == [] and report["teardown_failures"] == []
    assert f"verdict: {report['verdict']}" in output and "Traceback" not in output
    print(f"MEASURED {signum.name} --workers 2 in the state machine: stopped in {took:.2f} s, exit {returncode}, "
          f"{report['summary']['not_run']} not run, verdict {report['verdict']}, {len(left)} left")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_the_preflight_reports_everything_not_run(tmp_path, report_validator, signum):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hostile"))
    from hostile_server import HOSTILE_KEY, HostileServer

    code, outcome = EXPECTED[signum]
    with HostileServer("hang", "all") as hanging:
        process = subprocess.Popen(
            [*CLI, "--target", hanging.url, "--api-key", HOSTILE_KEY, "--report-dir", str(tmp_path)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        ends = time.monotonic() + 60
        while not hanging.seen and time.monotonic() < ends:  # the preflight's first request is waiting
            time.sleep(0.05)
        returncode, took, output = stop(process, signum)
    assert returncode == code and took <= STOP_WITHIN, output
    report = check_report(tmp_path, report_validator, outcome)
    assert report["summary"]["not_run"] == report["summary"]["total"] > 80
    assert report["traffic"]["requests"] == report["traffic"]["outside_scenarios"] >= 1  # the preflight's
    print(f"MEASURED {signum.name} in preflight: stopped in {took:.2f} s, exit {returncode}, "
          f"{report['summary']['not_run']} of {report['summary']['total']} not run, verdict {report['verdict']}")


LOADING_SIGNAL = """
import os, signal, sys
from conformance.cli import lazy_group, main

loading = lazy_group.LazyGroup.get_command

def get_command(self, ctx, name):
    os.kill(os.getpid(), signal.SIGINT)  # arrives while the run command is being imported
    return loading(self, ctx, name)

lazy_group.LazyGroup.get_command = get_command
main(["run", "--report-dir", sys.argv[1]])
"""


def test_a_signal_while_the_command_loads_is_held_until_the_report_can_say_so(tmp_path, report_validator):
    result = subprocess.run([sys.executable, "-c", LOADING_SIGNAL, str(tmp_path)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 130, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    check_report(tmp_path, report_validator, "interrupted")
