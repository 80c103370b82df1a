"""A wide negative sweep: the faithful reference server rejects every documented limit the fuzzer breaks.

A default run draws only a few cases per operation, so a limit the reference server does not
enforce (``request[body]`` was once accepted up to 64 KiB against a documented 5,000) shows up
as a ``fuzz.negative-rejected`` failure in a few random runs only. This sweep draws many cases
per operation with a fixed seed, so such a gap fails here every time instead of now and then.
"""

import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "conformance"]
# This seed draws a forwarding request with a ``request[body]`` over the documented limit.
SEEDS = ("negsweep1",)


@pytest.mark.parametrize("seed", SEEDS)
def test_wide_negative_sweep_of_every_operation_conforms(tmp_path, seed):
    args = ["run", "-k", "test_fuzz_operation", "--fuzz-examples", "25", "--seed", seed]
    result = subprocess.run(
        [*CLI, *args, "--report-dir", str(tmp_path)], capture_output=True, text=True, timeout=300
    )
    report = json.loads((tmp_path / "report.json").read_text())
    statuses = {item["id"]: item["status"] for item in report["requirements"]}
    assert statuses["fuzz.negative-rejected"] == "passed", result.stdout[-3000:]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
