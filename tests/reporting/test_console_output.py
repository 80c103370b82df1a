"""What a run prints: requirements counted as in the files, failures with FAILED and a real file, each line once."""

import json
import re
import subprocess
import sys

from conformance.reference import ReferenceServer
from tests.reporting.samples import ROOT, NoDefaultOnFirstCard

FIRST_CARD = "card.default.first-card"


def test_the_cli_counts_requirements_and_labels_the_scenarios(broken_run):
    _out, result = broken_run
    lines = result.stdout.splitlines()
    assert lines[-1] == "verdict: DOES NOT CONFORM"
    totals = r"^requirements: \d+: \d+ / \d+ assessed passed \(\d+%\), \d+ failed; \d+ not assessed"
    assert re.search(totals, result.stdout, re.M)
    assert any(re.match(r"scenarios: \d+ run \(\d+ passed, \d+ failed", line) for line in lines)
    # pytest's own last line counts scenarios with no label: the quiet CLI leaves it out
    assert not any(re.match(r"^=*\s*\d+ (passed|failed)", line) for line in lines)
    at = next(i for i, line in enumerate(lines) if FIRST_CARD in line and line.startswith("  FAILED"))
    assert "expected $.default_source" in lines[at]
    assert lines[at + 1].startswith("    seen in suite/test_default_source.py::")


def test_a_target_without_profile_is_named_by_its_host(broken_run):
    out, _result = broken_run
    target = json.loads((out / "report.json").read_text())["target"]
    assert target["name"] == target["url"].removeprefix("http://") != "custom"
    assert f"## stripe-conformance: {target['name']} —" in (out / "summary.md").read_text()


def _pytest(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def _short_summary_files(stdout):
    """The files the short test summary lists, checking that each line says FAILED."""
    summary = stdout.split("short test summary info", 1)[1].splitlines()[1:]
    listed = [line for line in summary if "::" in line]
    assert listed and all(line.startswith("FAILED ") for line in listed), summary
    return [line.split()[1].split("::")[0] for line in listed]


def test_the_short_summary_names_real_files_with_failed(tmp_path):
    """Budget 3, seed 1: the stateful fuzzing meets the broken first-card rule (a budget of 1 may miss it)."""
    with ReferenceServer(store=NoDefaultOnFirstCard()) as server:
        plain = _pytest("--pyargs", "conformance.suite", "conformance.fuzz", "-k", "first_card or stateful",
                        f"--stripe-target={server.url}", "--stripe-api-key=sk_test_shortsummary1",
                        f"--stripe-report-dir={tmp_path / 'plain'}", "--stripe-fuzz-examples=3", "--stripe-seed=1",
                        "-q", "--tb=no")
        cli = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--target", server.url, "--api-key", "sk_test_shortsummary1",
             "--report-dir", str(tmp_path / "cli"), "--fuzz-examples", "3", "--seed", "1",
             "-k", "first_card or stateful", "-v"],
            capture_output=True, text=True, timeout=180, cwd=tmp_path,
        )
    files = _short_summary_files(plain.stdout)
    assert any("/fuzz/" in path for path in files)  # the fuzzing's failures too, under its own directory
    assert all((ROOT / path).is_file() for path in files), files  # files that exist, relative to where pytest ran
    files = _short_summary_files(cli.stdout)
    assert any("/fuzz/" in path for path in files)
    assert all((tmp_path / path).resolve().is_file() for path in files), files


def test_an_exit_message_is_printed_once():
    result = _pytest("--pyargs", "conformance.suite", "--stripe-target", "http://127.0.0.1:1",
                     "--stripe-api-key", "sk_test_exitonce1", "--stripe-retries", "0", "-q")
    assert result.returncode == 3
    output = result.stdout + result.stderr
    assert output.count("cannot reach target http://127.0.0.1:1") == 1, output


def test_xdist_says_bringing_up_nodes_once(tmp_path):
    with ReferenceServer() as server:
        result = _pytest("--pyargs", "conformance.suite", "-k", "auth", "-n", "2", "--stripe-target", server.url,
                         "--stripe-api-key", "sk_test_nodesonce1", "--stripe-report-dir", str(tmp_path), "-q")
        bar = _pytest("--pyargs", "conformance.suite", "-k", "auth", "-n", "2", "--stripe-target", server.url,
                      "--stripe-api-key", "sk_test_nodesonce1", "--stripe-report-dir", str(tmp_path / "bar"), "-q",
                      "--stripe-progress", "tty")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("bringing up nodes") <= 1, result.stdout
    # under xdist the controller collects nothing: the bar's total comes from the workers' collection
    assert re.search(r"\b(\d+)/\1 scenarios .* ETA", bar.stdout), bar.stdout
