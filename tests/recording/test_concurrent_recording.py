"""A run with ``--concurrency`` gives a serial run's verdicts, and its recording replays identically.

Same seed, concurrency 1 vs 3 (scenarios and fuzzing in three processes under one shared limiter,
as ``--rate-limit`` makes the run rate-limited): same requirement statuses. The concurrent run's
recording, replayed serially, gives the same statuses again with every recorded interaction played.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from test_reference_cassettes import PLUGIN_DIR, _assert_every_recording_played

from conformance.reference import ReferenceServer

CLI = [sys.executable, "-m", "conformance", "run"]
KEY = "sk_test_concurrentrecording"
SEED = "concurrency-5"
SELECTION = ["-k", "pagination or default_source or fuzz_scenarios or PostCustomersCustomerSources"]


Run = tuple[subprocess.CompletedProcess[str], dict[str, str]]


def _run(directory: Path, *args: str, env: dict[str, str] | None = None) -> Run:
    result = subprocess.run(
        [*CLI, "--report-dir", str(directory), "--fuzz-examples", "1", *SELECTION, *args],
        capture_output=True, text=True, timeout=300, env={**os.environ, "STRIPE_API_KEY": KEY, **(env or {})},
    )
    path = directory / "report.json"
    assert path.exists(), result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads(path.read_text())
    return result, {r["id"]: r["status"] for r in report["requirements"]}


def test_concurrent_run_matches_serial_and_its_recording_replays_identically(tmp_path):
    with ReferenceServer() as serial_server, ReferenceServer() as concurrent_server:
        serial, serial_statuses = _run(tmp_path / "serial", "--target", serial_server.url, "--seed", SEED)
        concurrent, concurrent_statuses = _run(
            tmp_path / "concurrent", "--target", concurrent_server.url, "--seed", SEED, "--rate-limit", "200",
            "--concurrency", "3", "--record", str(tmp_path / "cassettes"), "-v",
        )
    assert "3 workers [" in concurrent.stdout  # it did run in three processes
    assert serial.returncode == concurrent.returncode == 0, concurrent.stdout[-3000:]
    assert len(serial_statuses) > 10 and concurrent_statuses == serial_statuses

    counts = tmp_path / "unplayed.json"
    plugin = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(PLUGIN_DIR), os.environ.get("PYTHONPATH", "")])),
        "PYTEST_PLUGINS": "unplayed_cassettes_plugin",
        "STRIPE_TEST_UNPLAYED": str(counts),
    }
    replay, replayed_statuses = _run(tmp_path / "replay", "--replay", str(tmp_path / "cassettes"), env=plugin)
    assert replay.returncode == 0, replay.stdout[-3000:]
    assert replayed_statuses == serial_statuses
    _assert_every_recording_played(tmp_path / "cassettes", json.loads(counts.read_text()))
