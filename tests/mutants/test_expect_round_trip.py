"""Expectations are stable: ``expect --from`` a faulty target's report, then ``run --expect`` on it, exits 0.

The whole run goes both times, fuzzing included, under one fixed seed. Expected failures must not
change what the fuzzing explores (``FuzzSession.sift`` notes every finding and ends nothing), or the
second run would reach findings the first never saw and fail the gate it was given.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from mutant_faults import FallbackToOldest, MetadataReplacesInsteadOfMerging

from conformance.reference import ReferenceServer, Store

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_expectroundtrip1"
SEED = "expect-round-trip"


def _run(url: str, directory, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "run", "--target", url, "--api-key", KEY, "--seed", SEED, "--report-dir", str(directory), *extra],
        capture_output=True, text=True, timeout=600,
    )


@pytest.mark.parametrize(
    "store",
    [FallbackToOldest, MetadataReplacesInsteadOfMerging],
    ids=["default.fallback-oldest", "update.metadata-replaced"],
)
def test_expectations_adopted_from_a_run_hold_on_the_next_run(store: type[Store], tmp_path):
    with ReferenceServer(store=store()) as server:
        first = _run(server.url, tmp_path / "first")
        assert first.returncode == 1, first.stdout[-3000:] + first.stderr
        expected = tmp_path / "expect.toml"
        adopted = subprocess.run(
            [*CLI, "expect", "--from", str(tmp_path / "first" / "report.json"), "-o", str(expected)],
            capture_output=True, text=True, timeout=60,
        )
        assert adopted.returncode == 0, adopted.stderr
        second = _run(server.url, tmp_path / "second", "--expect", str(expected))
    failed_first = {
        r["id"] for r in json.loads((tmp_path / "first" / "report.json").read_text())["requirements"]
        if r["status"] == "failed"
    }
    report = json.loads((tmp_path / "second" / "report.json").read_text())
    statuses = {r["id"]: r["status"] for r in report["requirements"]}
    assert failed_first and any(rid.startswith("fuzz.") or rid.startswith("card.") for rid in failed_first)
    assert second.returncode == 0, (
        f"first run failed {sorted(failed_first)}; second run: "
        f"{ {rid: s for rid, s in statuses.items() if s not in ('passed', 'xfailed')} }\n" + second.stdout[-3000:]
    )
    assert {rid for rid, status in statuses.items() if status == "xfailed"} == failed_first
