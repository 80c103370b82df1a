"""Runs against hostile targets end in bounded time, with failures that say what arrived, and no traceback."""

import json
import subprocess
import sys
import time

import pytest
from hostile_server import HOSTILE_KEY, HostileServer

from conformance.requirements import load_catalogue

CLI = [sys.executable, "-m", "conformance"]
REQUEST_TIMEOUT = 0.5
DEADLINE = 1.0
BOUND = 30.0
"""Wall-clock bound for one hostile run: start-up, the deadline, one scenario's worst case, teardown."""

# What a failure (or infrastructure note) must show about what arrived, per behaviour.
EVIDENCE = {
    "hang": "timed out",
    "slow_headers": "timed out",
    "trickle_body": "timed out",
    "trickle_headers": "timed out",
    "close_mid_body": "Connection broken",
    "html": "text/html",
    "plain_text": "text/plain",
    "invalid_json": "not JSON",
    "server_error": "got 500",
    "rate_limited": "HTTP 429",
    "huge_body": "got [0,0,0,0",
    "redirect_loop": "got 302",
    "empty_200": "empty body",
    "deep_json": "nested deeper than",
}


def run_against(server, tmp_path, *extra):
    started = time.monotonic()
    result = subprocess.run(
        [*CLI, "run", "--target", server.url, "--api-key", HOSTILE_KEY, "--report-dir", str(tmp_path),
         "--request-timeout", str(REQUEST_TIMEOUT), "--deadline", str(DEADLINE), *extra],
        capture_output=True, text=True, timeout=120,
    )
    return result, time.monotonic() - started


def notes(report):
    """Every failure message and every reason in the report, one string each."""
    found = []
    for requirement in report["requirements"]:
        found += [f"{f['requirement_id']}: {f['message']}" for f in requirement["failures"]]
        if requirement.get("reason"):
            found.append(f"{requirement['id']}: {requirement['reason']}")
    return found


@pytest.mark.parametrize("behaviour", sorted(EVIDENCE))
def test_hostile_scenarios_end_in_bounded_time_with_evidence(behaviour, tmp_path):
    with HostileServer(behaviour, "scenarios") as server:
        result, elapsed = run_against(server, tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert elapsed < BOUND, f"{behaviour}: {elapsed:.1f} s"
    assert result.returncode in (1, 4), output[-3000:]  # does not conform, or incomplete at the deadline
    report = json.loads((tmp_path / "report.json").read_text())
    assert all((tmp_path / name).is_file() for name in ("report.html", "summary.md", "junit.xml"))
    catalogue = load_catalogue()
    for requirement in report["requirements"]:
        assert requirement["id"] in catalogue
        for failure in requirement["failures"]:
            assert failure["requirement_id"] in catalogue and failure["message"] and failure["curl"]
    assert any(EVIDENCE[behaviour] in note for note in notes(report)), notes(report)[:10]
    if behaviour == "rate_limited":  # infrastructure noise, never a failed requirement
        assert not [f for r in report["requirements"] for f in r["failures"] if "429" in f["message"]]
        noisy = [r for r in report["requirements"] if (r.get("reason") or "").startswith("infrastructure:")]
        assert noisy and all(r["status"] == "not_assessed" for r in noisy)
        assert "infrastructure noise" in result.stdout
    if behaviour == "huge_body":  # evidence is cut, and says by how much
        bodies = [f["response"]["body"] for r in report["requirements"] for f in r["failures"] if f["response"]]
        assert bodies and all(len(body) < 100_000 for body in bodies)
    print(f"{behaviour}: {elapsed:.2f} s, exit {result.returncode}, {len(server.seen)} requests")


@pytest.mark.parametrize(
    ("behaviour", "says"),
    [
        ("hang", "timed out"),
        ("close_mid_body", "Connection broken"),
        ("rate_limited", "rate-limiting"),
        ("deep_json", "nested deeper than 200 levels"),
    ],
)
def test_failure_before_anything_ran_is_exit_3(behaviour, says, tmp_path):
    with HostileServer(behaviour, "all") as server:
        result, elapsed = run_against(server, tmp_path)
    assert result.returncode == 3, result.stdout[-2000:] + result.stderr
    assert says in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert elapsed < BOUND
    assert not (tmp_path / "report.json").exists()
    print(f"preflight {behaviour}: {elapsed:.2f} s, exit 3")


def test_a_run_that_judged_nothing_because_of_429s_does_not_pass_the_gate(tmp_path):
    with HostileServer("rate_limited", "scenarios") as server:
        result = subprocess.run(
            [*CLI, "run", "--target", server.url, "--api-key", HOSTILE_KEY, "--report-dir", str(tmp_path),
             "--deadline", "0", "--retries", "1", "-k", "test_missing_key_is_401"],
            capture_output=True, text=True, timeout=120,
        )
    report = json.loads((tmp_path / "report.json").read_text())
    assert all(r["status"] == "not_assessed" for r in report["requirements"])  # no requirement failed...
    assert result.returncode == 1 and "no scenario was judged" in result.stdout  # ...but nothing was verified
