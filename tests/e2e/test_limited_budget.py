"""A rate-limited run without ``--fuzz-examples`` fuzzes at the limited default, says so, and replays at it."""

import json
import subprocess
import sys

import pytest

from conformance.fuzz.budget import FuzzBudget
from conformance.settings.options import DEFAULT_EXAMPLES, DEFAULT_LIMITED_EXAMPLES

CLI = [sys.executable, "-m", "conformance"]
STATEFUL = ["-k", "stateful", "--seed", "limited-budget"]


def _run(tmp_path, name, *extra, select=STATEFUL):
    reports = tmp_path / name
    result = subprocess.run([*CLI, "run", *select, "--report-dir", str(reports), *extra],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    return json.loads((reports / "report.json").read_text())


def _parts(report):
    return sorted(s["nodeid"] for s in report["scenarios"] if "stateful" in s["nodeid"])


@pytest.mark.parametrize(("extra", "budget"), [
    (["--rate-limit", "1000"], DEFAULT_LIMITED_EXAMPLES),
    ([], DEFAULT_EXAMPLES),
    (["--rate-limit", "1000", "--fuzz-examples", str(DEFAULT_EXAMPLES)], DEFAULT_EXAMPLES),
], ids=["limited", "unlimited", "limited-but-given"])
def test_the_budget_and_its_machine_parts_follow_the_rate_limit(tmp_path, extra, budget):
    report = _run(tmp_path, "run", *extra)
    assert report["selection"]["fuzz_examples"] == budget
    assert len(_parts(report)) == FuzzBudget(examples=budget).parts


def test_a_recording_at_the_limited_default_replays_at_it(tmp_path):
    recorded = _run(tmp_path, "recorded", "--rate-limit", "1000", "--record", str(tmp_path / "set"))
    replayed = _run(tmp_path, "replayed", "--replay", str(tmp_path / "set"), select=())  # the set's own -k
    assert replayed["selection"]["fuzz_examples"] == recorded["selection"]["fuzz_examples"] == DEFAULT_LIMITED_EXAMPLES
    assert _parts(replayed) == _parts(recorded)
    fuzzed = {r["id"]: r["status"] for r in recorded["requirements"] if r["id"].startswith("fuzz.")}
    assert fuzzed and {r["id"]: r["status"] for r in replayed["requirements"] if r["id"] in fuzzed} == fuzzed
