"""Sample reports, a reference store with one broken rule, and a CLI runner for the reporting tests."""

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from conformance.checks import ValueMismatch
from conformance.cli import cli
from conformance.http import Request, Response
from conformance.reference import Store
from conformance.reporting import RunReport, TargetInfo, TestOutcome, aggregate, report_to_dict
from conformance.requirements import load_catalogue

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "conformance"]
FIRST_CARD = "card.default.first-card"
CREATE = "card.create.returns-card"
DELETE = "card.delete.stub"


class NoDefaultOnFirstCard(Store):
    """The one broken behaviour: attaching the first card leaves ``default_source`` null."""

    def default_after_attach(self, customer, card):
        return customer.default_source


BROKEN_RUN_KEY = "sk_test_brokenrun1"
"""The key the broken run sends: no report or attachment may hold it, plain or base64-encoded."""


def run_cli(*args, timeout=120):
    """Run the CLI in a fresh process (what `run` needs: it starts pytest)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def invoke(*args):
    """Run a CLI command in this process (for commands that do not start pytest); returns (code, stdout, stderr)."""
    result = CliRunner().invoke(cli, list(args), standalone_mode=False, catch_exceptions=False)
    return result.return_value, result.stdout, result.stderr


def failure(rid, message="expected $.default_source = 'card_1', got None"):
    headers = (("Authorization", "Bearer sk_test_secret1"),)
    request = Request("GET", "http://127.0.0.1:9/v1/customers/cus_1", headers, b"")
    body = b'{"id": "cus_1", "default_source": null}'
    response = Response(200, (("Content-Type", "application/json"),), body, request)
    return ValueMismatch.from_exchange(rid, message, response=response, json_path="$.default_source").to_dict()


def make_report(statuses, *, name="reference", url="http://127.0.0.1:9"):
    """A RunReport where each requirement id in ``statuses`` got that outcome ("passed", "failed", ...)."""
    outcomes = []
    for number, (rid, status) in enumerate(statuses.items()):
        failures = (failure(rid),) if status == "failed" else ()
        detail = "boom" if status in ("error", "skipped") else None
        outcome = "failed" if status == "error" else status
        checks = {rid: 1} if status == "passed" else {}
        cause = {"id": "precondition.sample", "reason": "the sample precondition failed."} if status in (
            "blocked", "unsupported") else None
        outcomes.append(TestOutcome(f"suite/test_x.py::t{number}", (rid,), outcome, failures=failures, detail=detail,
                                    observations=checks, root_cause=cause))
    results = aggregate(outcomes, load_catalogue())
    return RunReport("0.1.0", TargetInfo(url, "2023-08-16", name), "2026-01-01T00:00:00Z", "2026-01-01T00:00:01Z",
                     results)


def as_dict(report):
    return json.loads(json.dumps(report_to_dict(report)))
