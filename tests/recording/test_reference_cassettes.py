"""The committed ``cassettes/reference`` set replays offline to the verdicts of a live run, every recording played.

When the suite changes, this fails and says how to re-record the set: a request the set lacks fails
the replay; a recorded interaction the replay never asked for (the suite sends fewer or other requests
for the set's seed now) is counted by ``unplayed_cassettes_plugin`` and fails here.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REFERENCE = Path(__file__).resolve().parents[2] / "cassettes" / "reference"
RERECORD = "stripe-conformance run --record cassettes/reference --record-mode rewrite"
CLI = [sys.executable, "-m", "conformance", "run"]
PLUGIN_DIR = Path(__file__).resolve().parent


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
    recorded = json.loads((REFERENCE / "cassette-set.json").read_text())
    budget = str(recorded.get("options", {}).get("stripe_fuzz_examples", 3))
    # the live run the set was recorded from: its seed and fuzz budget (a default run may fuzz less)
    live = subprocess.run(
        [*CLI, "--seed", recorded["seed"], "--fuzz-examples", budget, "--report-dir", str(tmp_path / "live")],
        capture_output=True, text=True, timeout=300,
    )
    assert live.returncode in (0, 1), live.stdout + live.stderr
    counts = tmp_path / "unplayed.json"
    path = os.pathsep.join(filter(None, [str(PLUGIN_DIR), os.environ.get("PYTHONPATH", "")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "PYTEST_PLUGINS": "unplayed_cassettes_plugin",
        "STRIPE_TEST_UNPLAYED": str(counts),
    }
    replay = subprocess.run(
        [*_without_network(), *CLI, "--replay", str(REFERENCE), "--report-dir", str(tmp_path / "replay")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
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
    _assert_every_recording_played(REFERENCE, json.loads(counts.read_text()))


def _assert_every_recording_played(directory: Path, counts: dict[str, dict[str, int]]) -> None:
    """Every cassette file of the set was opened by the replay and every interaction in it was played."""
    files = {str(path) for path in directory.rglob("*.json") if path.name != "cassette-set.json"}
    never_opened = sorted(files - set(counts))
    unplayed = {path: c["recorded"] - c["played"] for path, c in counts.items() if c["played"] < c["recorded"]}
    recorded = sum(c["recorded"] for c in counts.values())
    played = sum(c["played"] for c in counts.values())
    lines = [f"{Path(path).relative_to(directory)}: {n} unplayed" for path, n in sorted(unplayed.items())]
    lines += [f"{Path(path).relative_to(directory)}: never opened (no such scenario now)" for path in never_opened]
    assert not lines, (
        f"cassettes/reference is stale for its seed: {played} of {recorded} recorded interactions were played "
        f"(the suite sends other requests now). Re-record it with\n    {RERECORD}\n" + "\n".join(lines[:40])
    )


def test_a_set_with_recordings_left_unplayed_or_cassettes_never_opened_is_stale(tmp_path):
    for name in ("cassette-set.json", "test_a/one.json", "test_a/two.json"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("{}")
    one, two = str(tmp_path / "test_a/one.json"), str(tmp_path / "test_a/two.json")
    _assert_every_recording_played(tmp_path, {one: {"recorded": 3, "played": 3}, two: {"recorded": 1, "played": 1}})
    with pytest.raises(AssertionError, match=r"2 of 3 recorded interactions were played[\s\S]*one.json: 1 unplayed"):
        _assert_every_recording_played(tmp_path, {one: {"recorded": 3, "played": 2}, two: {"recorded": 0, "played": 0}})
    with pytest.raises(AssertionError, match=r"two\.json: never opened"):
        _assert_every_recording_played(tmp_path, {one: {"recorded": 3, "played": 3}})
