"""The acceptance story end to end, through the CLI, against a target with one broken behaviour."""

import base64
import json
import xml.etree.ElementTree as ET

import pytest
from markupsafe import escape

from conformance.reference import ReferenceServer
from tests.reporting.conftest import BROKEN_RUN_SEED
from tests.reporting.samples import BROKEN_RUN_KEY, FIRST_CARD, NoDefaultOnFirstCard, invoke, run_cli

KEY = "sk_test_acceptance1"


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("passing-run")
    result = run_cli("run", "--report-dir", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_broken_target_gets_all_five_outputs(broken_run, report_schema):
    out, result = broken_run
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text())
    report_schema.validate(report)
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    assert statuses[FIRST_CARD] == "failed"
    failure = next(r for r in report["requirements"] if r["id"] == FIRST_CARD)["failures"][0]
    html = (out / "report.html").read_text()
    assert str(escape(failure["curl"])) in html
    summary = (out / "summary.md").read_text()
    assert f"`{FIRST_CARD}`" in summary and "| default_source |" in summary
    case = next(c for c in ET.parse(out / "junit.xml").getroot().iter("testcase") if c.get("name") == FIRST_CARD)
    assert case.find("failure") is not None
    assert {p.get("name"): p.get("value") for p in case.iter("property")}["area"] == "default_source"
    assert f"reports in {out}" in result.stdout and "Traceback" not in result.stderr


def test_allure_results_carry_labels_links_and_exchanges(broken_run):
    out, _ = broken_run
    results = [json.loads(p.read_text()) for p in (out / "allure-results").glob("*-result.json")]
    result = next(r for r in results if any(lb["value"] == FIRST_CARD for lb in r["labels"]))
    labels = {(lb["name"], lb["value"]) for lb in result["labels"]}
    assert {("epic", "Stripe conformance"), ("feature", "default_source"), ("story", FIRST_CARD)} <= labels
    assert any(link["url"].startswith("https://docs.stripe.com/api/") for link in result["links"])
    names = [a["name"] for a in result.get("attachments", [])]
    assert any(n.endswith(": request") for n in names) and any(n.endswith(": response") for n in names)
    assert "conformance failures" in names
    forms = key_forms(BROKEN_RUN_KEY)
    for path in [*(out / "allure-results").iterdir(), *(p for p in out.iterdir() if p.is_file())]:
        text = path.read_text(errors="replace")
        assert not [form for form in forms if form in text], path.name


def key_forms(key):
    """The key as it may travel: plain, and base64-encoded alone or as Basic credentials (``key:``)."""
    forms = {key}
    for raw in (key, key + ":"):
        encoded = base64.b64encode(raw.encode()).decode()
        forms.add(encoded[: len(raw) // 3 * 4])  # the part that does not depend on what follows
    return forms


def test_key_forms_cover_the_basic_credentials():
    header = base64.b64encode(f"{BROKEN_RUN_KEY}:".encode()).decode()
    assert any(form in f"Authorization: Basic {header}" for form in key_forms(BROKEN_RUN_KEY) - {BROKEN_RUN_KEY})


def test_progress_is_plain_lines_when_not_a_tty(broken_run):
    _, result = broken_run
    lines = [line for line in result.stdout.splitlines() if line.startswith("stripe-conformance [")]
    assert len(lines) > 5 and "\r" not in result.stdout
    assert "default_source" in lines[-1] and "failing" in lines[-1]


def test_diff_against_a_passing_run_exits_1_and_lists_the_regressions(passing_run, broken_run, tmp_path):
    old, new = str(passing_run / "report.json"), str(broken_run[0] / "report.json")
    code, out, _ = invoke("diff", old, new)
    assert code == 1
    regressed = [line.split()[1] for line in out.splitlines() if line.startswith("regressed ")]
    assert FIRST_CARD in regressed
    code, out, _ = invoke("diff", old, new, "--format", "md")
    assert code == 1 and f"| regressed | `{FIRST_CARD}` |" in out
    code, out, _ = invoke("diff", new, old, "--format", "json")
    assert code == 0 and json.loads(out)["counts"]["fixed"] >= 1
    (tmp_path / "junk.json").write_text("{not json")
    code, _, err = invoke("diff", str(tmp_path / "junk.json"), new)
    assert code == 2 and err.count("\n") == 1 and "not a readable JSON report" in err


def test_matrix_of_two_targets(passing_run, broken_run, tmp_path):
    page = tmp_path / "matrix.html"
    code, out, _ = invoke("matrix", str(passing_run / "report.json"), str(broken_run[0] / "report.json"),
                          "--format", "md", "--html", str(page))
    assert code == 0
    broken_host = json.loads((broken_run[0] / "report.json").read_text())["target"]["url"].removeprefix("http://")
    assert f"| requirement | area | reference | {broken_host} |" in out  # no profile: named by its host
    assert f"| `{FIRST_CARD}` | default_source | ✅ passed | ❌ failed |" in out
    assert "<table>" in page.read_text()


def test_adopted_expectations_gate_the_run_both_ways(broken_run, tmp_path):
    broken, _ = broken_run
    code, adopted, _ = invoke("expect", "--from", str(broken / "report.json"))
    assert code == 0 and f'[expectations."{FIRST_CARD}"]' in adopted
    expect_file = tmp_path / "expectations.toml"
    expect_file.write_text(adopted)

    with ReferenceServer(store=NoDefaultOnFirstCard()) as server:
        gated = run_cli("run", "--target", server.url, "--api-key", KEY, "--report-dir", str(tmp_path / "gated"),
                        "--expect", str(expect_file), "--seed", BROKEN_RUN_SEED)
    assert gated.returncode == 0, gated.stdout + gated.stderr
    report = json.loads((tmp_path / "gated" / "report.json").read_text())
    assert report["conforms"] and report["expectations"] == [str(expect_file.resolve())]
    assert {r["id"]: r["status"] for r in report["requirements"]}[FIRST_CARD] == "xfailed"

    with ReferenceServer() as fixed:
        strict = run_cli("run", "--target", fixed.url, "--api-key", KEY, "--report-dir", str(tmp_path / "fixed"),
                         "--expect", str(expect_file))
    assert strict.returncode == 1, strict.stdout + strict.stderr
    report = json.loads((tmp_path / "fixed" / "report.json").read_text())
    first = next(r for r in report["requirements"] if r["id"] == FIRST_CARD)
    assert first["status"] == "failed" and first["failures"][-1]["kind"] == "unexpected_pass"
    assert first["reason"].startswith("unexpected pass")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[expectations\n", "not valid TOML"),
        ('[expectations."card.nope"]\nexpected = "fail"\nreason = "x"\n', "unknown requirement id 'card.nope'"),
        (f'[expectations."{FIRST_CARD}"]\nexpected = "fail"\nreason = "x"\nexpires = 2020-01-01\n',
         "expired on 2020-01-01"),
    ],
)
def test_bad_expectations_file_exits_2_with_one_line(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    code, _, err = invoke("run", "--report-dir", str(tmp_path / "out"), "--expect", str(path))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_bad_expectations_file_is_one_line_from_a_real_process(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("expectations: [unclosed\n")
    result = run_cli("run", "--report-dir", str(tmp_path / "out"), "--expect", str(path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_expect_from_a_bad_report_exits_2(tmp_path):
    code, _, err = invoke("expect", "--from", str(tmp_path / "absent.json"))
    assert code == 2 and err.count("\n") == 1
