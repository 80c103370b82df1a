"""Every report says how many requests its run sent: the count is what the target received, to the request."""

import json
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from benchmarks.latency_proxy import LatencyProxy
from conformance.reference import ReferenceServer

CLI = [sys.executable, "-m", "conformance"]


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["one-process", "two-workers"])
def test_the_reported_requests_are_the_ones_the_target_received(tmp_path, workers, report_validator):
    with ReferenceServer() as server:
        address = urlsplit(server.url)
        with LatencyProxy((address.hostname, address.port), latency=0.0, rate=1000) as proxy:
            result = subprocess.run(
                [*CLI, "run", "--target", proxy.url, "--api-key", "sk_test_traffic1", "-k", "delete or auth",
                 "--fuzz-examples", "0", "--rate-limit", "500", "--report-dir", str(tmp_path), *workers],
                capture_output=True, text=True, timeout=180,
            )
        received = proxy.stats.as_dict()
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    report_validator.validate(report)
    traffic = report["traffic"]
    scenarios = report["scenarios"]
    assert traffic["requests"] == received["received"] > 0
    assert traffic["rate_limited"] == received["rate_limited"] == 0
    assert traffic["in_scenarios"] == sum(s["requests"] for s in scenarios)
    assert all(s["requests"] > 0 for s in scenarios)
    assert traffic["outside_scenarios"] >= 1  # the preflight at least
    line = f"requests: {received['received']} sent to the target"
    assert line in result.stdout
    for name in ("summary.md", "report.html"):
        assert line in (tmp_path / name).read_text(), name
