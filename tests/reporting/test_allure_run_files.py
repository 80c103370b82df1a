"""Allure run-level files: environment.properties, categories.json, executor.json; no repeated labels."""

import json
import os
import re
import subprocess
import sys
from collections import Counter

import pytest

from conformance.reference import ReferenceServer
from conformance.reporting.allure_meta import CATEGORIES, environment, executor, properties_text
from tests.reporting.samples import make_report

SCENARIOS = '''
import pytest


@pytest.mark.requirement("card.create.returns-card", "card.create.token-details")
def test_two_requirements_one_area(stripe_client, check):
    answer = stripe_client.get("/v1/customers", {"limit": 1})
    check.status(answer, 200, req="card.create.returns-card")
    check.status(answer, 200, req="card.create.token-details")


@pytest.mark.requirement("card.list.envelope")
def test_fails(stripe_client, check):
    check.status(stripe_client.get("/v1/customers", {"limit": 1}), 418)


@pytest.mark.requirement("card.create.returns-card", "card.create.card-id-prefix")
def test_warns(stripe_client, check):
    answer = stripe_client.get("/v1/customers", {"limit": 1})
    check.status(answer, 200, req="card.create.returns-card")
    check.that(False, "expected a card_ id", answer, req="card.create.card-id-prefix")


@pytest.mark.requirement("auth.missing-key")
def test_rate_limited(stripe_client):
    pytest.skip("infrastructure: HTTP 429 after 2 retries; not a conformance verdict")


@pytest.mark.requirement("card.retrieve.by-id")
def test_unclaimed(stripe_client):
    pytest.skip("target profile 'x' does not claim legacy-cards: the legacy /cards paths")


@pytest.mark.requirement("card.delete.stub")
def test_suite_breaks(stripe_client):
    raise KeyError("a bug of the suite")
'''

GITHUB = {
    "GITHUB_ACTIONS": "true",
    "GITHUB_SERVER_URL": "https://github.example",
    "GITHUB_REPOSITORY": "acme/payments",
    "GITHUB_RUN_ID": "991",
    "GITHUB_RUN_NUMBER": "17",
    "GITHUB_RUN_ATTEMPT": "2",
    "GITHUB_WORKFLOW": "conformance",
    "GITHUB_JOB": "shard",
}


@pytest.fixture(scope="module")
def allure_run(tmp_path_factory):
    """One pytest session over SCENARIOS against the reference server, in a GitHub-Actions-like environment."""
    pytester_dir = tmp_path_factory.mktemp("allure-run")
    (pytester_dir / "test_scenarios.py").write_text(SCENARIOS)
    out = pytester_dir / "out"
    with ReferenceServer() as server:
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--disable-plugin-autoload",
             "-p", "conformance.plugin", "-p", "allure_pytest.plugin", "--stripe-target", server.url,
             "--stripe-api-key", "sk_test_allurefiles1", "--stripe-report-dir", str(out), "--stripe-seed", "5eed",
             "test_scenarios.py"],
            cwd=pytester_dir, capture_output=True, text=True, timeout=120,
            env={**os.environ, **GITHUB},
        )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return out / "allure-results"


def _results(results_dir):
    return {r["name"]: r for r in (json.loads(p.read_text()) for p in results_dir.glob("*-result.json"))}


def test_no_label_repeats_in_a_result(allure_run):
    results = _results(allure_run)
    labels = Counter((label["name"], label["value"]) for label in results["test_two_requirements_one_area"]["labels"])
    assert labels[("feature", "create")] == 1
    assert labels[("story", "card.create.returns-card")] == labels[("story", "card.create.token-details")] == 1
    for result in results.values():
        repeated = [pair for pair, n in Counter((lb["name"], lb["value"]) for lb in result["labels"]).items() if n > 1]
        assert not repeated, (result["name"], repeated)


def test_levels_evidence_and_should_warnings_are_labels(allure_run):
    results = _results(allure_run)
    labels = {(label["name"], label["value"]) for label in results["test_warns"]["labels"]}
    assert ("level", "card.create.card-id-prefix: SHOULD") in labels
    assert ("level", "card.create.returns-card: MUST") in labels
    assert any(name == "evidence" and value.startswith("card.create.card-id-prefix: ") for name, value in labels)
    assert ("warning", "card.create.card-id-prefix: SHOULD failed") in labels and ("tag", "should-warning") in labels
    assert results["test_warns"]["status"] == "passed"  # a warning does not fail the scenario
    assert not any(name == "warning" for name, _ in {(lb["name"], lb["value"]) for lb in
                                                     results["test_two_requirements_one_area"]["labels"]})
    # The failures policy attaches the exchanges of a scenario that warned: the warning's evidence.
    assert any("request" in a["name"] for a in results["test_warns"].get("attachments", []))
    entries = dict(line.split(" = ", 1) for line in (allure_run / "environment.properties").read_text().splitlines())
    assert entries["should.warnings"] == "1" and entries["strict"] == "false"
    assert entries["verdict"] == "DOES NOT CONFORM"  # test_fails fails a MUST


def test_environment_names_target_version_seed_and_tools(allure_run):
    text = (allure_run / "environment.properties").read_text()
    entries = dict(line.split(" = ", 1) for line in text.splitlines())
    assert entries["seed"] == "5eed"
    assert entries["stripe.version"] == "2023-08-16"
    assert entries["target.url"].startswith("http://127.0.0.1:")
    assert {"stripe-conformance", "python", "pytest", "schemathesis", "hypothesis", "allure-pytest"} <= set(entries)
    assert "sk_test" not in text


def test_executor_links_the_ci_build(allure_run):
    build = json.loads((allure_run / "executor.json").read_text())
    assert build["buildUrl"] == "https://github.example/acme/payments/actions/runs/991/attempts/2"
    assert build["buildOrder"] == 17 and build["type"] == "github"


def _category(result):
    """The first category whose rule matches ``result``, as Allure applies them (full match of the message)."""
    message = (result.get("statusDetails") or {}).get("message") or ""
    for category in CATEGORIES:
        if result["status"] in category["matchedStatuses"] and re.fullmatch(
            category.get("messageRegex", "(?s).*"), message
        ):
            return category["name"]
    return None


def test_categories_tell_product_defect_from_unsupported_and_infrastructure(allure_run):
    written = json.loads((allure_run / "categories.json").read_text())
    assert written == list(CATEGORIES)
    results = _results(allure_run)
    assert _category(results["test_fails"]).startswith("Product defects")
    assert _category(results["test_rate_limited"]).startswith("Infrastructure")
    assert _category(results["test_unclaimed"]).startswith("Target does not offer it")
    assert _category(results["test_suite_breaks"]).startswith("Suite errors")
    assert _category(results["test_two_requirements_one_area"]) is None  # passed: no category


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({}, None),
        ({"CI": "true"}, None),
        ({"GITHUB_ACTIONS": "true", "GITHUB_RUN_ID": "5", "GITHUB_REPOSITORY": "a/b"},
         "https://github.com/a/b/actions/runs/5"),
        ({"GITLAB_CI": "true", "CI_JOB_URL": "https://gitlab.example/a/b/-/jobs/9", "CI_PIPELINE_IID": "3"},
         "https://gitlab.example/a/b/-/jobs/9"),
        ({"BUILD_URL": "https://jenkins.example/job/x/4/", "BUILD_NUMBER": "4"}, "https://jenkins.example/job/x/4/"),
    ],
)
def test_executor_from_ci_variables(env, url):
    build = executor(env)
    assert (build or {}).get("buildUrl") == url
    if build:
        assert all(value not in (None, "") for value in build.values())


def test_properties_escape_keys_and_line_breaks():
    text = properties_text({"a key=x": "line one\nline two", "url": "http://h:1"})
    assert text == "a\\ key\\=x = line one\\nline two\nurl = http://h:1\n"


def test_environment_without_a_seed_says_so():
    entries = environment(make_report({"card.create.returns-card": "passed"}), None)
    assert entries["seed"] == "(none)" and entries["target"] == "reference"
