"""The pytest front-end writes the same outputs, shows progress, and honours expectations files."""

import json
import re
import subprocess
import sys

from conformance.reference import ReferenceServer
from tests.reporting.samples import FIRST_CARD, NoDefaultOnFirstCard

FIRST_CARD_SCENARIO = (  # the requirements the scenario judging FIRST_CARD cites
    FIRST_CARD, "card.default.later-cards-keep", "card.default.explicit-update", "card.default.explicit-survives",
    "card.default.unknown-source",
)

pytest_plugins = ["pytester"]


def _suite(pytester, server, out, *extra):
    return pytester.runpytest_subprocess(
        "--pyargs", "conformance.suite", "--stripe-target", server.url, "--stripe-api-key", "sk_test_frontend2",
        "--stripe-report-dir", str(out), "-p", "no:cacheprovider", "-k", "first_card", *extra,
    )


def test_pytest_run_writes_every_output_and_redraws_progress_on_a_terminal(tmp_path):
    with ReferenceServer(store=NoDefaultOnFirstCard()) as server:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "--stripe-target", server.url,
             "--stripe-api-key", "sk_test_frontend2", "--stripe-report-dir", str(tmp_path), "-p", "no:cacheprovider",
             "-k", "first_card", "--stripe-progress", "tty"],
            capture_output=True, timeout=120, cwd=tmp_path,
        )
    output = result.stdout.decode()  # bytes: text mode would turn the carriage returns into newlines
    assert result.returncode == 1, output
    for name in ("report.json", "report.html", "summary.md", "junit.xml"):
        assert (tmp_path / name).is_file(), name
    assert list((tmp_path / "allure-results").glob("*-result.json"))
    # rich's bar with the time left, redrawn in place (cursor movements), the counts per area under it
    assert re.search(r"stripe-conformance .*━.* 1/1 scenarios \d+:\d\d:\d\d ETA", output), output
    assert "default_source\u00a00/5\u00a0(1\u00a0failing)" in output
    assert "\x1b[2K" in output or "\x1b[1A" in output  # the bar redraws itself rather than adding lines
    assert "stripe-conformance [" not in output  # no plain lines on a terminal


def test_pytest_run_applies_expectations_and_skips_expected_skips(pytester, tmp_path):
    expect = tmp_path / "expect.yaml"
    expect.write_text(
        "expectations:\n"
        # Every requirement the scenario cites: the scenario is skipped only when none of them is expected to run.
        + "".join(f"  {rid}: {{expected: skip, reason: not built yet}}\n" for rid in FIRST_CARD_SCENARIO)
    )
    with ReferenceServer(store=NoDefaultOnFirstCard()) as server:
        result = _suite(pytester, server, tmp_path / "out", "--stripe-expect", str(expect), "-rs")
    assert result.ret == 0, result.stdout.str()
    result.stdout.fnmatch_lines(["*expected skip: not built yet*"])
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    first = next(r for r in report["requirements"] if r["id"] == FIRST_CARD)
    assert first["status"] == "skipped" and first["expectation"]["expected"] == ["skip"]


def test_pytest_run_with_a_bad_expectations_file_exits_2(pytester, tmp_path):
    expect = tmp_path / "expect.toml"
    expect.write_text('[expectations."card.nope"]\nexpected = "fail"\nreason = "x"\n')
    with ReferenceServer() as server:
        result = _suite(pytester, server, tmp_path / "out", "--stripe-expect", str(expect))
    assert result.ret == 2
    assert "unknown requirement id 'card.nope'" in result.stdout.str() + result.stderr.str()
