"""Allure attachments: by default only scenarios that did not pass carry their exchanges; opt-in for all."""

import json

import pytest

from conformance.reference import ReferenceServer
from conformance.reporting.attachments import (
    ATTACH_ALL,
    ATTACH_CHOICES,
    ATTACH_FAILURES,
    ATTACH_NONE,
    attaches_exchanges,
)
from tests.reporting.samples import run_cli

pytest_plugins = ["pytester"]

SCENARIOS = '''
import pytest


@pytest.fixture
def cleanup_that_breaks():
    yield
    raise RuntimeError("cleanup failed on purpose")


@pytest.mark.requirement("card.list.envelope")
def test_passes(stripe_client, check):
    check.status(stripe_client.get("/v1/customers", {"limit": 1}), 200)


@pytest.mark.requirement("card.create.returns-card")
def test_fails(stripe_client, check):
    check.status(stripe_client.get("/v1/customers", {"limit": 1}), 418)


@pytest.mark.xfail(reason="known deviation", strict=True)
@pytest.mark.requirement("card.retrieve.by-id")
def test_xfails(stripe_client):
    assert stripe_client.get("/v1/customers", {"limit": 1}).status == 418


@pytest.mark.requirement("auth.missing-key")
def test_errors_in_teardown(stripe_client, cleanup_that_breaks):
    assert stripe_client.get("/v1/customers", {"limit": 1}).status == 200
'''
NOT_PASSED = {"test_fails", "test_xfails", "test_errors_in_teardown"}
ALL = NOT_PASSED | {"test_passes"}
PARTS = ("request", "response", "curl")


def _exchange_names(results_dir):
    """Map each scenario's name to the names of the exchange attachments of its Allure result."""
    by_test = {}
    for path in results_dir.glob("*-result.json"):
        result = json.loads(path.read_text())
        by_test[result["name"]] = [
            a["name"] for a in result.get("attachments", []) if a["name"] != "conformance failures"
        ]
    return by_test


@pytest.mark.parametrize(
    ("policy", "attached"),
    [(None, NOT_PASSED), (ATTACH_FAILURES, NOT_PASSED), (ATTACH_ALL, ALL), (ATTACH_NONE, set())],
)
def test_which_scenarios_carry_their_exchanges(pytester, tmp_path, policy, attached):
    pytester.makepyfile(test_scenarios=SCENARIOS)
    option = ["--stripe-allure-attach", policy] if policy else []
    with ReferenceServer() as server:
        result = pytester.runpytest_subprocess(
            "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin",
            "-p", "allure_pytest.plugin", "--stripe-target", server.url, "--stripe-api-key", "sk_test_attach1",
            "--stripe-report-dir", str(tmp_path), *option,
        )
    result.assert_outcomes(passed=2, failed=1, xfailed=1, errors=1)  # the teardown error's body passed
    by_test = _exchange_names(tmp_path / "allure-results")
    assert set(by_test) == ALL
    assert {name for name, exchanges in by_test.items() if exchanges} == attached
    for name in attached:  # one GET per scenario body: its request, response and curl line, nothing of setup
        assert by_test[name] == [f"1. GET /v1/customers?limit=1 → 200: {part}" for part in PARTS]
    failing = json.loads(next(
        p.read_text() for p in (tmp_path / "allure-results").glob("*-result.json") if '"test_fails"' in p.read_text()
    ))
    assert "conformance failures" in [a["name"] for a in failing["attachments"]]  # whatever the policy


def test_the_plugin_refuses_an_unknown_policy(pytester):
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--disable-plugin-autoload", "-p", "conformance.plugin",
        "--stripe-allure-attach", "sometimes",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--stripe-allure-attach*invalid choice*'sometimes'*"])


def test_the_cli_refuses_an_unknown_policy_in_one_line():
    result = run_cli("run", "--allure-attach", "sometimes")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "--allure-attach" in result.stderr and "Traceback" not in result.stderr


def test_the_policy_vocabulary():
    assert ATTACH_CHOICES[0] == ATTACH_FAILURES
    assert not attaches_exchanges(ATTACH_FAILURES, passed=True) and attaches_exchanges(ATTACH_FAILURES, passed=False)
    assert attaches_exchanges(ATTACH_ALL, passed=True) and not attaches_exchanges(ATTACH_NONE, passed=False)
    with pytest.raises(ValueError, match="sometimes"):
        attaches_exchanges("sometimes", passed=False)


def test_a_conforming_cli_run_attaches_no_exchange(tmp_path):
    """Through the CLI, hand-written scenarios only: everything passes, so no request/response/curl files."""
    result = run_cli("run", "--fuzz-examples", "0", "-k", "default or retrieve", "--report-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    results = tmp_path / "allure-results"
    assert list(results.glob("*-result.json")) and not list(results.glob("*-attachment.*"))


def test_the_broken_target_run_attaches_only_to_what_failed(broken_run):
    out, _ = broken_run
    by_test = _exchange_names(out / "allure-results")
    statuses = {
        json.loads(p.read_text())["name"]: json.loads(p.read_text())["status"]
        for p in (out / "allure-results").glob("*-result.json")
    }
    assert any(statuses[name] == "failed" and exchanges for name, exchanges in by_test.items())
    assert not [name for name, exchanges in by_test.items() if statuses[name] == "passed" and exchanges]
