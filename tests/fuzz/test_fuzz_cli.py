"""The fuzzing through both front-ends: ``stripe-conformance run`` and the pytest plugin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conformance.cli.run_cmd import FUZZ_PACKAGE, SUITE_PACKAGE, suite_arguments
from conformance.fuzz.budget import FuzzBudget
from conformance.settings import RunSettings

CLI = [sys.executable, "-m", "conformance", "run"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_run_fuzzes_by_default_and_reports_the_fuzz_area(tmp_path: Path) -> None:
    result = _run("-m", "fuzz", "--fuzz-examples", "1", "--seed", "cli-test", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    fuzz = {r["id"]: r for r in report["requirements"] if r["area"] == "fuzz"}
    assert len(fuzz) == 18 and {r["status"] for r in fuzz.values()} <= {"passed", "not_assessed"}
    # One example per operation reaches most checks; what it did not reach is said, never passed.
    assert all(r["observations"] > 0 for r in fuzz.values() if r["status"] == "passed")
    assert all(r["reason"].startswith("not observed: ") for r in fuzz.values() if r["status"] == "not_assessed")
    assert sum(r["status"] == "passed" for r in fuzz.values()) >= 12
    assert "fuzz" in result.stdout


def test_zero_examples_leaves_the_fuzzing_out(tmp_path: Path) -> None:
    result = _run("-m", "fuzz", "--fuzz-examples", "0", "--report-dir", str(tmp_path))
    assert result.returncode == 2  # nothing left to run
    assert "no scenario matches" in result.stderr


def test_suite_arguments_collect_both_packages_unless_fuzzing_is_off() -> None:
    both = suite_arguments(RunSettings())
    assert both[both.index("--pyargs") + 1 : both.index("--pyargs") + 3] == [SUITE_PACKAGE, FUZZ_PACKAGE]
    off = suite_arguments(RunSettings(fuzz_examples=0))
    assert FUZZ_PACKAGE not in off
    assert "--stripe-fuzz-examples" not in suite_arguments(RunSettings(fuzz_examples=7))  # the budget is a setting


def test_the_pytest_front_end_takes_the_budget_option(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", FUZZ_PACKAGE, "-p", "no:cacheprovider", "-q",
         "--stripe-fuzz-examples", "1", "--stripe-seed", "pytest-front", "--stripe-report-dir", str(tmp_path),
         "-k", "GetClimateOrders or stateful"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    parts = FuzzBudget(examples=1).parts
    assert f"{2 + parts} passed" in result.stdout  # two GetClimateOrders tests and the machine's parts
