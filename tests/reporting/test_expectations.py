"""Expectations files: parsing, validation errors, and how they change verdicts."""

import datetime

import pytest

from conformance.expectations import (
    UNEXPECTED_PASS,
    Expectations,
    ExpectationsError,
    apply_expectations,
    expectations_toml,
    load_expectations,
    parse_expectations,
)
from tests.reporting.samples import CREATE, DELETE, FIRST_CARD, ROOT, as_dict, make_report

TODAY = datetime.date(2026, 6, 1)

TOML = f"""
description = "known deviations of a fake"

[expectations."{FIRST_CARD}"]
expected = "fail"
reason = "the fake never sets default_source"
link = "https://tracker.example/1"
expires = 2027-01-01

[expectations."{CREATE}"]
expected = ["pass", "fail"]
reason = "flaky under load"
"""

YAML = f"""
expectations:
  {FIRST_CARD}:
    expected: fail
    reason: the fake never sets default_source
    expires: 2027-01-01
  {DELETE}:
    expected: skip
    reason: deleting cards crashes the fake
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_toml_and_yaml_files_load(tmp_path):
    toml = load_expectations(write(tmp_path, "x.toml", TOML), today=TODAY)
    assert [e.requirement_id for e in toml] == [FIRST_CARD, CREATE]
    first = toml.get(FIRST_CARD)
    assert first.expected == ("fail",) and first.link == "https://tracker.example/1"
    assert first.expires == datetime.date(2027, 1, 1)
    assert toml.get(CREATE).expected == ("pass", "fail") and toml.get(CREATE).describe() == "[pass, fail]"
    yaml_ = load_expectations(write(tmp_path, "x.yaml", YAML), today=TODAY)
    assert yaml_.get(FIRST_CARD).expires == datetime.date(2027, 1, 1)
    assert yaml_.skipped_ids() == {DELETE}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.toml", "[expectations\n", "not valid TOML"),
        ("bad.yaml", "expectations: [unclosed\n", "not valid YAML"),
        ("dup.yaml", f"expectations:\n  {FIRST_CARD}: {{expected: fail, reason: a}}\n"
                     f"  {FIRST_CARD}: {{expected: fail, reason: b}}\n", "duplicate key"),
        ("unknown.toml", '[expectations."card.no-such-thing"]\nexpected = "fail"\nreason = "x"\n',
         "unknown requirement id 'card.no-such-thing'"),
        ("expired.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "fail"\nreason = "x"\nexpires = 2026-06-01\n',
         "expired on 2026-06-01"),
        ("noreason.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "fail"\n', "'reason' is required"),
        ("badvalue.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "flaky"\nreason = "x"\n', "'flaky'"),
        ("passonly.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "pass"\nreason = "x"\n', "remove the entry"),
        ("field.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "fail"\nreason = "x"\nowner = "me"\n',
         "unknown field(s) ['owner']"),
        ("top.toml", "[expectation]\n", "unknown top-level key(s) ['expectation']"),
        ("date.toml", f'[expectations."{FIRST_CARD}"]\nexpected = "fail"\nreason = "x"\nexpires = "soon"\n',
         "'expires' must be a date"),
    ],
)
def test_bad_files_fail_with_one_clear_line(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(ExpectationsError) as caught:
        load_expectations(path, today=TODAY)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(path)) and "\n" not in str(caught.value)


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(ExpectationsError, match="cannot read"):
        load_expectations(tmp_path / "absent.toml")


def test_expected_failure_becomes_xfailed_and_the_run_conforms():
    report = make_report({FIRST_CARD: "failed", CREATE: "passed"})
    expectations = parse_expectations({FIRST_CARD: {"expected": "fail", "reason": "known"}}, origin="e.toml")
    applied = apply_expectations(report, expectations)
    result = {r.id: r for r in applied.requirements}[FIRST_CARD]
    assert not report.conforms and applied.conforms
    assert result.status == "xfailed" and result.failures  # the evidence stays
    assert result.expectation["observed"] == "failed" and result.reason == "expected failure: known"
    assert applied.expectations == ("e.toml",)


def test_unexpected_pass_fails_the_run_with_a_clear_reason():
    report = make_report({FIRST_CARD: "passed"})
    expectations = parse_expectations({FIRST_CARD: {"expected": "fail", "reason": "known"}}, origin="e.toml")
    applied = apply_expectations(report, expectations)
    result = applied.requirements[0]
    assert report.conforms and not applied.conforms
    assert result.status == "failed" and result.failures[-1]["kind"] == UNEXPECTED_PASS
    assert "e.toml expects fail" in result.failures[-1]["message"]


def test_intermittent_accepts_both_and_error_counts_as_fail():
    entry = {"expected": ["pass", "fail"], "reason": "flaky"}
    for status, verdict in (("passed", "passed"), ("failed", "xfailed"), ("error", "xfailed")):
        report = make_report({CREATE: status})
        applied = apply_expectations(report, parse_expectations({CREATE: entry}, origin="e"))
        assert applied.requirements[0].status == verdict
        assert applied.conforms


def test_skip_expectation_reports_skipped_whatever_happened():
    expectations = parse_expectations({DELETE: {"expected": "skip", "reason": "crashes"}}, origin="e")
    for status in ("passed", "failed", "skipped"):
        applied = apply_expectations(make_report({DELETE: status}), expectations)
        assert applied.requirements[0].status == "skipped" and applied.conforms


def test_an_unexpected_failure_stays_a_failure():
    expectations = parse_expectations({FIRST_CARD: {"expected": "skip", "reason": "x"}}, origin="e")
    report = make_report({FIRST_CARD: "failed", CREATE: "failed"})
    applied = apply_expectations(report, expectations)
    assert {r.id: r.status for r in applied.requirements}[CREATE] == "failed"


def test_later_expectations_win():
    first = parse_expectations({FIRST_CARD: {"expected": "fail", "reason": "a"}}, origin="profile")
    second = parse_expectations({FIRST_CARD: {"expected": "skip", "reason": "b"}}, origin="file")
    merged = first.merge(second)
    assert len(merged) == 1 and merged.get(FIRST_CARD).reason == "b"
    assert merged.origins == ("profile", "file")
    assert apply_expectations(make_report({CREATE: "passed"}), Expectations()).expectations == ()


def test_adopted_expectations_make_the_run_pass(tmp_path, report_schema):
    report = make_report({FIRST_CARD: "failed", CREATE: "error", DELETE: "passed"})
    path = write(tmp_path, "adopted.toml", expectations_toml(as_dict(report)))
    expectations = load_expectations(path)
    assert {e.requirement_id for e in expectations} == {FIRST_CARD, CREATE}
    applied = apply_expectations(report, expectations)
    assert applied.conforms
    report_schema.validate(as_dict(applied))
    # Re-adopting from the gated run keeps the entries and their reasons.
    again = load_expectations(write(tmp_path, "again.toml", expectations_toml(as_dict(applied))))
    assert [(e.requirement_id, e.reason) for e in again] == [(e.requirement_id, e.reason) for e in expectations]


def test_adopting_drops_entries_that_no_longer_hold(tmp_path):
    gated = apply_expectations(
        make_report({FIRST_CARD: "passed"}), parse_expectations({FIRST_CARD: {"expected": "fail", "reason": "x"}},
                                                                origin="e")
    )
    text = expectations_toml(as_dict(gated))
    assert FIRST_CARD not in text
    assert len(load_expectations(write(tmp_path, "empty.toml", text))) == 0


def test_adopted_file_escapes_awkward_messages(tmp_path):
    report = as_dict(make_report({FIRST_CARD: "failed"}))
    report["requirements"][0]["failures"][0]["message"] = 'got "quoted" \\ back\tslash \x7f and ünïcode 🎉'
    expectations = load_expectations(write(tmp_path, "weird.toml", expectations_toml(report)))
    assert "🎉" in expectations.get(FIRST_CARD).reason


def test_the_documented_sample_file_loads():
    sample = ROOT / "docs" / "expectations.example.toml"
    expectations = load_expectations(sample, today=TODAY)
    assert len(expectations) == 3 and expectations.skipped_ids() == {"card.list.ending-before"}
