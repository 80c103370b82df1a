"""``--max-failures N``: the run stops once N requirements have failed, and says so."""

import json
import subprocess
import sys

from test_hostile_cleanup import BrokenDelete

from conformance.http import StripeClient
from conformance.reference import ReferenceServer, create_app
from conformance.targets.cleanup import iter_objects

CLI = [sys.executable, "-m", "conformance", "run"]
KEY = "sk_test_maxfail1"


def test_the_run_stops_after_n_failed_requirements_and_never_conforms(tmp_path):
    with ReferenceServer(app=BrokenDelete(create_app())) as server:
        run = subprocess.run(
            [*CLI, "--target", server.url, "--api-key", KEY, "--report-dir", str(tmp_path), "--retries", "0",
             "--fuzz-examples", "1", "--max-failures", "1"],
            capture_output=True, text=True, timeout=300,
        )
        left = list(iter_objects(StripeClient(server.url, KEY), "/v1/customers"))
    report = json.loads((tmp_path / "report.json").read_text())
    failed = [r["id"] for r in report["requirements"] if r["status"] in ("failed", "error")]
    not_run = [r for r in report["requirements"] if r["status"] == "not_run"]
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr
    assert report["outcome"] == "max_failures" and report["verdict"] == "DOES NOT CONFORM"
    assert failed and not_run and all("--max-failures" in r["reason"] for r in not_run)
    assert "outcome max_failures" in run.stdout
    assert left == []
