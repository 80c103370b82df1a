"""One counting rule in every format: requirements, passed / assessed, the not-assessed ones beside.

The same report (passed, failed, xfailed, not_assessed and skipped requirements in one area, two
more areas) is rendered by every writer and the console; each must show the same numbers.
"""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from conformance.reporting import RequirementResult, RunReport, TargetInfo, console_summary, write_reports
from conformance.reporting.counting import ASSESSED_STATUSES, Counts
from conformance.reporting.model import NOT_ASSESSED_STATUSES, STATUSES
from conformance.requirements import load_catalogue

# area -> statuses of its first requirements, in catalogue order
MIX = {
    "create": ["passed", "passed", "passed", "failed", "xfailed", "not_assessed", "skipped", "skipped"],
    "update": ["passed", "passed", "skipped"],
    "pagination": ["failed", "not_assessed"],
}
# what every format must say: area -> (passed, assessed, not assessed, score)
EXPECTED = {"create": (3, 5, 3, "60%"), "update": (2, 2, 1, "100%"), "pagination": (0, 1, 1, "0%")}
TOTAL = (5, 8, 5, "62%")  # 5 / 8 = 62.5%, rounded down


def _mixed_report():
    by_area = {}
    for requirement in load_catalogue():
        by_area.setdefault(requirement.area, []).append(requirement)
    results = []
    for area, statuses in MIX.items():
        for requirement, status in zip(by_area[area], statuses, strict=False):
            failures = ({"requirement_id": requirement.id, "message": "expected 200, got 500"},) if status in (
                "failed", "xfailed") else ()
            results.append(RequirementResult(
                id=requirement.id, area=area, level=requirement.level, title=requirement.title,
                source=requirement.source, status=status, failures=failures, tests=("suite/test_x.py::t",),
                reason=None if status in ("passed", "failed") else f"why {status}",
            ))
    return RunReport("0.1.0", TargetInfo("http://127.0.0.1:9", "2023-08-16", "fake"), "2026-01-01T00:00:00Z",
                     "2026-01-01T00:00:01Z", tuple(results))


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    directory = tmp_path_factory.mktemp("counting")
    report = _mixed_report()
    write_reports(report, directory)
    return report, directory


def test_the_rule_splits_every_status_once():
    assert set(ASSESSED_STATUSES) | set(NOT_ASSESSED_STATUSES) == set(STATUSES)
    assert not set(ASSESSED_STATUSES) & set(NOT_ASSESSED_STATUSES)
    counts = Counts.of(["passed", "failed", "xfailed", "not_assessed", "skipped", "blocked"])
    assert (counts.total, counts.assessed, counts.not_assessed) == (6, 3, 3)
    assert counts.line() == (
        "1 / 3 assessed passed (33%), 1 failed, 1 xfailed; 3 not assessed (1 not_assessed, 1 blocked, 1 skipped)"
    )


def test_the_sample_holds_every_status_the_issue_names():
    statuses = {status for area in MIX.values() for status in area}
    assert {"passed", "failed", "xfailed", "not_assessed", "skipped"} <= statuses
    for area, (passed, assessed, not_assessed, score) in EXPECTED.items():  # the expected numbers, by hand
        counts = Counts.of(MIX[area])
        assert (counts["passed"], counts.assessed, counts.not_assessed, counts.score_text) == (
            passed, assessed, not_assessed, score)


def test_console(written):
    report, _ = written
    text = console_summary(report)
    for area, (passed, assessed, not_assessed, score) in EXPECTED.items():
        line = next(line for line in text.splitlines() if line.strip().startswith(area + " "))
        assert f"{passed} / {assessed} assessed passed ({score})" in line
        assert f"{not_assessed} not assessed" in line
    passed, assessed, not_assessed, score = TOTAL
    assert f"requirements: 13: {passed} / {assessed} assessed passed ({score})" in text
    assert f"; {not_assessed} not assessed" in text


def test_markdown(written):
    _, directory = written
    text = (directory / "summary.md").read_text()
    for area, (passed, assessed, not_assessed, score) in EXPECTED.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {area} |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[1:3] == [f"{passed} / {assessed}", score]
        assert sum(int(n) for n in re.findall(r"(\d+) \w+", cells[3])) == not_assessed
    passed, assessed, not_assessed, score = TOTAL
    assert f"Score **{score}** over 13 requirements: {passed} / {assessed} assessed passed" in text
    assert f"; {not_assessed} not assessed" in text


def test_html(written):
    _, directory = written
    html = (directory / "report.html").read_text()
    for area, (passed, assessed, not_assessed, score) in EXPECTED.items():
        row = re.search(rf'<tr data-area="{area}">(.*?)</tr>', html, re.S).group(1)
        assert f"{passed} / {assessed}" in row and f"<strong>{score}</strong>" in row
        assert (f"+{not_assessed} not assessed" in row) == bool(not_assessed)
    passed, assessed, not_assessed, score = TOTAL
    assert f"{passed} / {assessed} assessed requirements passed; {not_assessed} not assessed" in html
    assert f'<strong id="score">{score}</strong>' in html


def test_junit(written):
    _, directory = written
    suite = ET.parse(directory / "junit.xml").getroot().find("testsuite")
    tests, failures, errors, skipped = (int(suite.get(k)) for k in ("tests", "failures", "errors", "skipped"))
    passed, _assessed, not_assessed, _ = TOTAL
    assert tests == 13 and tests - failures - errors - skipped == passed  # a CI tab's "passed" is ours
    cases = suite.findall("testcase")
    assert sum(1 for c in cases if c.find("skipped") is not None) == skipped == not_assessed + 1  # + the xfailed
    not_assessed_cases = [c for c in cases if "not assessed" in (c.find("skipped").get("message") if c.find(
        "skipped") is not None else "")]
    assert len(not_assessed_cases) == not_assessed


def test_json(written):
    _, directory = written
    summary = json.loads((directory / "report.json").read_text())["summary"]
    counts = Counts(summary)
    passed, assessed, not_assessed, _ = TOTAL
    assert (summary["passed"], counts.assessed, summary["total"] - counts.assessed) == (passed, assessed, not_assessed)
