"""report.html, summary.md, the diff and the matrix, rendered from report documents."""

import json
import re
from html.parser import HTMLParser

from conformance.expectations import apply_expectations, parse_expectations
from conformance.reporting import (
    RunReport,
    TargetInfo,
    TestOutcome,
    aggregate,
    build_matrix,
    console_summary,
    diff_reports,
    render_html,
    render_markdown,
    write_reports,
)
from conformance.reporting.citations import doc_links
from conformance.reporting.diff import classify, render_diff_json, render_diff_markdown, render_diff_text
from conformance.reporting.matrix import render_matrix_html, render_matrix_markdown, render_matrix_text, target_labels
from conformance.reporting.score import percent, score
from conformance.requirements import load_catalogue
from tests.reporting.samples import CREATE, DELETE, FIRST_CARD, as_dict, make_report


class _Fetches(HTMLParser):
    """Collect what a browser would fetch: src/href/srcset on any tag but an anchor, CSS imports and urls."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"
        if tag == "a":
            return
        self.found += [f"{tag} {name}={value}" for name, value in attrs if name in ("src", "href", "srcset", "data")]

    def handle_data(self, data):
        if self._in_style:
            self.found += re.findall(r"@import|url\((?!\s*['\"]?data:)", data)


def _fetching_attributes(html):
    parser = _Fetches()
    parser.feed(html)
    return parser.found


def test_html_shows_score_areas_and_failure_evidence():
    report = as_dict(make_report({FIRST_CARD: "failed", CREATE: "passed", DELETE: "skipped"}))
    html = render_html(report)
    assert "50%" in html and "DOES NOT CONFORM" in html
    assert "expected $.default_source = &#39;card_1&#39;, got None" in html
    assert "curl -sS http://127.0.0.1:9/v1/customers/cus_1" in html
    assert 'data-status="failed"' in html and 'data-area="default_source"' in html
    assert "https://docs.stripe.com/api/cards/delete" in html  # the cited section, as a link
    assert "sk_test_secret1" not in html and "[REDACTED]" in html


def test_html_is_self_contained_and_escapes_what_targets_send():
    report = as_dict(make_report({FIRST_CARD: "failed"}))
    report["requirements"][0]["failures"][0]["message"] = "got <script>alert(1)</script>"
    report["requirements"][0]["failures"][0]["response"]["body"] = '{"x": "<img src=https://evil.example/x>"}'
    html = render_html(report)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert _fetching_attributes(html) == []
    assert "default-src 'none'" in html  # the page's CSP forbids any fetch


def test_markdown_summary_has_area_table_and_failed_ids():
    text = render_markdown(as_dict(make_report({FIRST_CARD: "failed", CREATE: "passed"})))
    assert "| area | passed / assessed | score | not assessed | failed |" in text
    assert f"| default_source | 0 / 1 | 0% |  | `{FIRST_CARD}` |" in text
    assert "| create | 1 / 1 | 100% |  |  |" in text
    assert f"- `{FIRST_CARD}` (MUST, 1 observation(s)): expected $.default_source" in text


def _blocked_report():
    from conformance.reporting import root_causes

    outcomes = [
        TestOutcome("suite/test_x.py::t0", (FIRST_CARD, DELETE), "blocked", root_cause=CAUSE),
        TestOutcome("suite/test_x.py::t1", (CREATE,), "passed", observations={CREATE: 2}),
    ]
    results = aggregate(outcomes, load_catalogue())
    return RunReport("0.1.0", TargetInfo("http://127.0.0.1:9", "2023-08-16", "fake"), "2026-01-01T00:00:00Z",
                     "2026-01-01T00:00:01Z", results, root_causes=root_causes(outcomes, results))


CAUSE = {"id": "precondition.card-attach", "reason": "no documented way to attach a card worked.", "evidence": None}


def test_every_format_shows_the_root_cause_first_and_blocked_is_not_passed():
    from conformance.reporting.junit import junit_tree

    report = _blocked_report()
    assert report.conforms and report.summary["blocked"] == 2 and report.summary["passed"] == 1
    data = as_dict(report)
    assert data["root_causes"] == [CAUSE | {"kind": "blocked", "requirements": [FIRST_CARD, DELETE]}]
    by_id = {r["id"]: r for r in data["requirements"]}
    assert by_id[FIRST_CARD]["blocked_by"] == CAUSE["id"] and by_id[CREATE]["observations"] == 2
    html = render_html(data)
    assert html.index("Root causes (1)") < html.index("Score per area")
    assert 'data-status="blocked"' in html and "precondition.card-attach" in html
    text = render_markdown(data)
    assert text.index("### Root causes (1)") < text.index("| area |")
    assert "`precondition.card-attach`" in text and f"- `{FIRST_CARD}` (blocked)" in text
    console = console_summary(report)
    assert console.splitlines()[1] == "root causes (1):" and "precondition.card-attach (blocked, 2" in console
    suite = junit_tree(report).getroot()[0]
    assert suite[0].tag == "properties" and suite[0][0].get("name") == "root_cause.precondition.card-attach"
    blocked = next(case for case in suite.iter("testcase") if case.get("name") == FIRST_CARD)
    assert blocked.find("skipped").get("message").startswith("not assessed (blocked): ")


def test_markdown_escapes_pipes_and_html():
    report = as_dict(make_report({FIRST_CARD: "failed"}))
    report["requirements"][0]["failures"][0]["message"] = "a | b <b>c</b>\nd"
    assert "a \\| b &lt;b&gt;c&lt;/b&gt; d" in render_markdown(report)


def test_xfailed_are_listed_apart():
    gated = apply_expectations(
        make_report({FIRST_CARD: "failed"}), parse_expectations({FIRST_CARD: {"expected": "fail", "reason": "known"}},
                                                                origin="e")
    )
    text = render_markdown(as_dict(gated))
    assert "✅ conforms" in text and "Expected failures (1)" in text and "expected failure: known" in text
    assert "Expected failures (1)" in render_html(as_dict(gated))


def test_write_reports_writes_the_four_files(tmp_path, report_schema):
    paths = write_reports(make_report({FIRST_CARD: "failed", CREATE: "passed"}), tmp_path)
    assert sorted(p.name for p in paths) == ["junit.xml", "report.html", "report.json", "summary.md"]
    report_schema.validate(json.loads((tmp_path / "report.json").read_text()))


def test_score_ignores_skips_and_counts_expected_failures_against():
    assert score({"passed": 3, "skipped": 5}) == 1.0
    assert score({"passed": 1, "xfailed": 1}) == 0.5
    assert score({"skipped": 2}) is None and percent(None) == "–"
    assert percent(199 / 200) == "99%"  # never rounds a failure up to 100%


def test_diff_classification():
    assert classify("passed", "failed") == "regressed"
    assert classify("skipped", "error") == "regressed"
    assert classify("passed", "xfailed") == "regressed"
    assert classify("failed", "passed") == "fixed"
    assert classify("xfailed", "passed") == "fixed"
    assert classify(None, "passed") == "added" and classify("passed", None) == "removed"
    assert classify("failed", "error") == "unchanged" and classify("passed", "passed") == "unchanged"
    assert classify("passed", "skipped") == "changed" and classify("failed", "xfailed") == "changed"


def test_diff_lists_regressions_and_fixes():
    old = as_dict(make_report({FIRST_CARD: "passed", CREATE: "failed", DELETE: "passed"}))
    new = as_dict(make_report({FIRST_CARD: "failed", CREATE: "passed"}))
    diff = diff_reports(old, new)
    assert diff.regressed
    assert [c.id for c in diff.of("regressed")] == [FIRST_CARD]
    assert [c.id for c in diff.of("fixed")] == [CREATE] and [c.id for c in diff.of("removed")] == [DELETE]
    text = render_diff_text(diff)
    assert re.search(rf"regressed\s+{re.escape(FIRST_CARD)}\s+default_source\s+passed -> failed", text)
    assert f"| regressed | `{FIRST_CARD}` | default_source | passed | failed |" in render_diff_markdown(diff)
    data = json.loads(render_diff_json(diff))
    assert data["regressed"] and data["counts"]["fixed"] == 1


def test_matrix_puts_targets_side_by_side():
    a = as_dict(make_report({FIRST_CARD: "passed", CREATE: "passed"}, name="reference"))
    b = as_dict(make_report({FIRST_CARD: "failed"}, name="localstripe", url="http://127.0.0.1:8420"))
    matrix = build_matrix([a, b])
    assert matrix.targets == ("reference", "localstripe")
    rows = {r.id: r.statuses for r in matrix.rows}
    assert rows[FIRST_CARD] == ("passed", "failed") and rows[CREATE] == ("passed", None)
    assert matrix.scores() == ("100%", "0%")
    assert "| `card.default.first-card` | default_source | ✅ passed | ❌ failed |" in render_matrix_markdown(matrix)
    assert "card.default.first-card" in render_matrix_text(matrix)
    html = render_matrix_html(matrix)
    assert 'class="s failed"' in html and _fetching_attributes(html) == []


def test_matrix_names_clashing_targets_by_url():
    a = as_dict(make_report({}, name="custom", url="http://127.0.0.1:1"))
    b = as_dict(make_report({}, name="custom", url="http://127.0.0.1:2"))
    assert target_labels([a, b]) == ("custom (http://127.0.0.1:1)", "custom (http://127.0.0.1:2)")
    assert target_labels([a, a]) == ("custom (http://127.0.0.1:1) #1", "custom (http://127.0.0.1:1) #2")


def test_citations_link_to_the_reference_section():
    assert doc_links("seeds/004 'Delete a card' (default_source rule)") == (
        ("Delete a card", "https://docs.stripe.com/api/cards/delete"),
    )
    operation = "POST /v1/customers/{customer}/sources"
    assert dict(doc_links(f"openapi 2023-08-16: {operation}"))[operation] == "https://docs.stripe.com/api/cards/create"
    assert doc_links("seeds/004 'List all cards'")[0][1] == "https://docs.stripe.com/api/cards/list"
    assert doc_links("something else entirely") == ()
