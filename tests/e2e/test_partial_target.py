"""A target serving only seed 004's customer and card endpoints conforms, and the run says what it lacks.

The partial fake (``partial_fake.py``) is the reference behind a route filter: every route it
serves is faithful, every other one is Stripe's 404 for an unknown URL. The preflight must not
refuse it, setup must not need a route outside its surface, and the routes it lacks are root
causes reported as unsupported, never failures of the card areas.
"""

import json
import subprocess
import sys

import pytest

from conformance.reference import Store
from conformance.targets import PreflightError, TargetConfig, preflight
from tests.e2e.partial_fake import partial_server, served

pytest_plugins = ["pytester"]

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_partialfake1"


@pytest.fixture(scope="module")
def partial_run(tmp_path_factory):
    """One CLI run against the partial fake: (exit code, report.json, console output)."""
    directory = tmp_path_factory.mktemp("partial")
    with partial_server() as server:
        result = subprocess.run(
            [*CLI, "run", "--target", server.url, "--api-key", KEY, "--report-dir", str(directory)],
            capture_output=True, text=True, timeout=600,
        )
    report = json.loads((directory / "report.json").read_text()) if (directory / "report.json").exists() else None
    return result.returncode, report, result.stdout + result.stderr


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    """The built-in reference's report.json: what a faithful, complete target gets."""
    directory = tmp_path_factory.mktemp("reference")
    result = subprocess.run([*CLI, "run", "--report-dir", str(directory)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    return json.loads((directory / "report.json").read_text())


def test_the_fake_serves_exactly_seed_004s_customer_and_card_routes():
    assert served("POST", "/v1/customers") and served("DELETE", "/v1/customers/cus_1")
    assert served("GET", "/v1/customers/cus_1/cards") and served("DELETE", "/v1/customers/cus_1/sources/card_1")
    assert not served("GET", "/v1/customers")  # listing customers is not in the seed
    assert not served("POST", "/v1/webhook_endpoints") and not served("POST", "/v1/tokens")


def test_partial_target_conforms_with_every_card_requirement_assessed(partial_run, reference_run, report_validator):
    code, report, output = partial_run
    assert report is not None, output[-3000:]  # not refused by the preflight (exit 3, no report)
    report_validator.validate(report)
    assert code == 0, output[-3000:]
    assert report["summary"]["failed"] == 0 and report["summary"]["error"] == 0, report["summary"]
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    on_reference = {r["id"]: r["status"] for r in reference_run["requirements"]}
    card = sorted(rid for rid in on_reference if rid.startswith("card."))
    assert card and {rid: statuses.get(rid) for rid in card} == {rid: on_reference[rid] for rid in card}
    assert all(on_reference[rid] == "passed" for rid in card if not rid.startswith("card.version."))
    assert report["setup"]["card_path"] == "test-token" and report["setup"]["probed"] is True


def test_the_routes_it_lacks_are_reported_as_unsupported_root_causes(partial_run):
    _, report, output = partial_run
    causes = {cause["id"]: cause for cause in report["root_causes"]}
    for route in ("route GET /v1/customers", "route POST /v1/webhook_endpoints"):
        assert route in causes, sorted(causes)
        assert causes[route]["kind"] == "unsupported" and "does not serve" in causes[route]["reason"]
        assert causes[route]["evidence"]["response"]["status"] == 404
    # A missing route is the target's scope, never a failure of an area: nothing failed anywhere.
    assert not [r["id"] for r in report["requirements"] if r["failures"]]
    assert "route GET /v1/customers" in output


class OneKey(Store):
    """Accepts only ``KEY``."""

    def is_valid_api_key(self, key: str) -> bool:
        return key == KEY


def test_preflight_accepts_a_target_without_list_customers_and_still_judges_the_key():
    with partial_server(OneKey()) as server:
        preflight(TargetConfig.build(server.url, KEY))  # Stripe's 404 for the list, then a customer read
        with pytest.raises(PreflightError, match="rejects the API key"):
            preflight(TargetConfig.build(server.url, "sk_test_notthekey"))


def test_a_setup_that_raises_blocked_or_unsupported_is_reported_with_its_root_cause_not_as_an_error(pytester):
    pytester.makepyfile(
        """
        import pytest
        from conformance.checks import Blocked, Unsupported

        @pytest.fixture
        def card():
            raise Blocked("precondition.card-attach", "No card-creation path worked.", {"curl": "curl x"})

        @pytest.mark.requirement("card.create.returns-card")
        def test_needs_a_card(card):
            pass

        @pytest.mark.requirement("card.list.envelope")
        def test_needs_a_route():
            raise Unsupported("route GET /v1/customers/{id}/sources", "The target does not serve it.")
        """
    )
    recorder = pytester.inline_run("-p", "no:cacheprovider")
    outcomes = {
        report.nodeid.split("::")[-1]: dict(report.user_properties)["stripe_conformance_outcome"]
        for report in recorder.getreports("pytest_runtest_logreport")
        if report.when == "teardown"
    }
    blocked, unsupported = outcomes["test_needs_a_card"], outcomes["test_needs_a_route"]
    assert blocked["outcome"] == "blocked" and unsupported["outcome"] == "unsupported"
    assert blocked["root_cause"] == {
        "id": "precondition.card-attach", "reason": "No card-creation path worked.", "evidence": {"curl": "curl x"}
    }
    assert unsupported["root_cause"]["id"] == "route GET /v1/customers/{id}/sources"
    assert blocked["detail"] == "No card-creation path worked." and not blocked["failures"]
