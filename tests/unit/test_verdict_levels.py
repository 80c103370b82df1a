"""The verdict comes from the MUST requirements; a failed SHOULD is a warning unless the run is strict."""

from __future__ import annotations

import dataclasses

from conformance.checks import ValueMismatch
from conformance.reporting import RunReport, TargetInfo, TestOutcome, aggregate
from conformance.reporting.console import console_summary
from conformance.reporting.html import render_html
from conformance.reporting.json_report import report_to_dict
from conformance.reporting.junit import junit_tree
from conformance.reporting.markdown import render_markdown
from conformance.reporting.model import RequirementResult
from conformance.requirements import load_catalogue

EVIDENCE = ({"kind": "observed", "ref": "pastebin.com/x: a live answer"},)


def result(rid: str, level: str, status: str, **extra: object) -> RequirementResult:
    return RequirementResult(rid, "errors", level, "t", "s", status, evidence=EVIDENCE, **extra)  # type: ignore[arg-type]


def report(*results: RequirementResult, strict: bool = False) -> RunReport:
    return RunReport("0", TargetInfo("http://127.0.0.1:1", "2023-08-16"), "s", "f", results, strict=strict)


def test_a_failed_should_is_a_warning_not_a_failed_run() -> None:
    run = report(result("a.must", "MUST", "passed"), result("a.should", "SHOULD", "failed"))
    assert run.conforms
    assert [r.id for r in run.warnings] == ["a.should"]
    assert run.summary["warnings"] == 1 and run.summary["failed"] == 1


def test_strict_makes_a_failed_should_fail_the_run() -> None:
    run = report(result("a.must", "MUST", "passed"), result("a.should", "SHOULD", "failed"), strict=True)
    assert not run.conforms


def test_a_failed_must_fails_the_run_whatever_the_shoulds() -> None:
    assert not report(result("a.must", "MUST", "failed"), result("a.should", "SHOULD", "passed")).conforms
    assert not report(result("a.must", "MUST", "error")).conforms


def test_an_unexpected_pass_of_a_should_still_fails_the_run() -> None:
    unexpected = result("a.should", "SHOULD", "failed", expectation={"expected": ["fail"], "observed": "passed"})
    assert not report(unexpected).conforms
    assert report(unexpected).warnings == ()


def test_every_format_carries_level_evidence_and_the_warning() -> None:
    run = report(result("a.must", "MUST", "passed"), result("a.should", "SHOULD", "failed"))
    data = report_to_dict(run)
    assert data["conforms"] is True and data["strict"] is False
    assert data["requirements"][1]["evidence"] == list(EVIDENCE)
    console = console_summary(run)
    assert "SHOULD warnings (1, not failing the run without --strict):\n  FAILED a.should (SHOULD)" in console
    assert "not conforming" not in console and "verdict: CONFORMS" in console
    markdown = render_markdown(data)
    assert "### SHOULD warnings (1, not failing the run without --strict)" in markdown
    assert "### Failed" not in markdown and "✅ conforms" in markdown
    html = render_html(data)
    assert 'id="warnings">SHOULD warnings (1)' in html and 'id="failures"' not in html
    props = {
        (p.get("name"), p.get("value"))
        for case in junit_tree(run).getroot().iter("testcase")
        if case.get("name") == "a.should"
        for p in case.iter("property")
    }
    assert ("level", "SHOULD") in props
    assert ("evidence", "observed: pastebin.com/x: a live answer") in props
    assert any(name == "warning" for name, _ in props)
    suite = {(p.get("name"), p.get("value")) for p in junit_tree(run).getroot().find("testsuite").find("properties")}
    assert ("should_warnings", "1") in suite and ("strict", "false") in suite and ("verdict", "CONFORMS") in suite
    failure = next(c for c in junit_tree(run).getroot().iter("testcase") if c.get("name") == "a.should").find("failure")
    assert failure is not None and failure.get("message", "").startswith("SHOULD warning: ")
    strict = dataclasses.replace(run, strict=True)
    assert "SHOULD warnings (1, failing the run under --strict): a.should" in console_summary(strict)
    assert "not conforming (1):\n  FAILED a.should (SHOULD)" in console_summary(strict)
    assert "verdict: DOES NOT CONFORM" in console_summary(strict)
    strict_data = report_to_dict(strict)
    assert strict_data["verdict"] == "DOES NOT CONFORM" and strict_data["strict"] is True
    assert "### Failed (1)" in render_markdown(strict_data)
    assert 'id="failures">Failures (1)' in render_html(strict_data)


def test_strict_and_levels_go_into_the_one_verdict() -> None:
    """PARTIAL and INCOMPLETE still come after a finding; a SHOULD warning alone leaves them as they are."""
    warned = (result("a.must", "MUST", "passed"), result("a.should", "SHOULD", "failed"))
    shard = dataclasses.replace(report(*warned), selection={"shard": "1/2"})
    assert shard.verdict == "PARTIAL"
    assert dataclasses.replace(shard, strict=True).verdict == "DOES NOT CONFORM"
    deadline = dataclasses.replace(report(*warned), outcome="deadline")
    assert deadline.verdict == "INCOMPLETE"
    assert dataclasses.replace(deadline, strict=True).verdict == "DOES NOT CONFORM"
    assert report(*warned).verdict == "CONFORMS"


def test_levels_and_observations_hold_together() -> None:
    """A SHOULD nothing observed is not assessed (no warning); one that failed a check is a warning."""
    catalogue = load_catalogue()
    should = [r.id for r in catalogue if r.level == "SHOULD"][:2]
    must = next(r.id for r in catalogue if r.level == "MUST")
    failure = ValueMismatch(requirement_id=should[1], message="expected x, got y").to_dict()
    outcome = TestOutcome("t1", (must, *should), "passed", passed_checks=(must,), observations={must: 1},
                          failures=(failure,))
    results = {r.id: r for r in aggregate([outcome], catalogue)}
    assert results[should[0]].status == "not_assessed" and not results[should[0]].warning
    assert results[should[1]].status == "failed" and results[should[1]].warning
    run = report(*results.values())
    assert run.conforms and [r.id for r in run.warnings] == [should[1]]
    assert not report(*results.values(), strict=True).conforms
    unobserved = report(dataclasses.replace(results[should[0]]), strict=True)
    assert unobserved.conforms and unobserved.summary["warnings"] == 0
