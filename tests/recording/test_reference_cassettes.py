"""The committed ``cassettes/reference`` set replays offline to the verdicts of a live run.

When the suite changes, this fails and says how to re-record the set.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[2] / "cassettes" / "reference"
RERECORD = "stripe-conformance run --record cassettes/reference --record-mode rewrite"
CLI = [sys.executable, "-m", "conformance", "run"]


def _verdicts(directory: Path) -> dict[str, str]:
    report = json.loads((directory / "report.json").read_text())
    return {r["id"]: r["status"] for r in report["requirements"]}


def _without_network() -> list[str]:
    """``unshare -n`` (a fresh network namespace, loopback down) where this user may create one."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        return [unshare, "-n"]
    return []  # the replay blocks internet sockets itself; the namespace is extra proof where available


def test_reference_cassettes_replay_to_the_live_verdicts(tmp_path):
    assert (REFERENCE / "cassette-set.json").is_file(), f"cassettes/reference is missing: record it with {RERECORD}"
    live = subprocess.run([*CLI, "--report-dir", str(tmp_path / "live")], capture_output=True, text=True, timeout=300)
    assert live.returncode in (0, 1), live.stdout + live.stderr
    replay = subprocess.run(
        [*_without_network(), *CLI, "--replay", str(REFERENCE), "--report-dir", str(tmp_path / "replay")],
        capture_output=True, text=True, timeout=300,
    )
    assert replay.returncode in (0, 1) and "Traceback" not in replay.stderr, replay.stdout + replay.stderr
    expected, replayed = _verdicts(tmp_path / "live"), _verdicts(tmp_path / "replay")
    differences = [
        f"{rid}: live {expected.get(rid, 'not run')}, replayed {replayed.get(rid, 'not run')}"
        for rid in sorted(set(expected) | set(replayed))
        if expected.get(rid) != replayed.get(rid)
    ]
    assert not differences, (
        "cassettes/reference is stale: the suite no longer sends what was recorded. Re-record it with\n"
        f"    {RERECORD}\n" + "\n".join(differences) + "\n\nreplay output:\n" + replay.stdout[-4000:]
    )
    assert replay.returncode == live.returncode
