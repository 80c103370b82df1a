"""A cassette set remembers what it recorded: a replay runs that, and never fails what was not recorded."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report" / "report-v1.schema.json"

CLI = [sys.executable, "-m", "conformance", "run"]


def cli(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    base = tmp_path_factory.mktemp("subset")
    result = cli("--record", str(base / "set"), "-k", "auth or delete", "--fuzz-examples", "1",
                 "--report-dir", str(base / "recorded"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    return base


def report(path):
    return json.loads((path / "report.json").read_text())


def test_the_set_stores_the_selection_it_was_recorded_with(recorded):
    manifest = json.loads((recorded / "set" / "cassette-set.json").read_text())
    assert manifest["selection"] == {"keyword": "auth or delete"}


def test_a_replay_without_k_replays_what_was_recorded_and_says_the_rest_was_not(recorded, tmp_path):
    result = cli("--replay", str(recorded / "set"), "--report-dir", str(tmp_path))
    replayed, original = report(tmp_path), report(recorded / "recorded")
    Draft202012Validator(json.loads(SCHEMA.read_text())).validate(replayed)
    assessed = {r["id"]: r["status"] for r in replayed["requirements"] if r["status"] != "not_run"}
    not_recorded = [r for r in replayed["requirements"] if r["status"] == "not_run"]
    assert result.returncode == 0, result.stdout[-2000:]
    assert assessed == {r["id"]: r["status"] for r in original["requirements"]}
    assert not_recorded and {r["reason"] for r in not_recorded} == {"not recorded"}
    assert sorted(replayed["selection"]["not_recorded"]) == sorted(r["id"] for r in not_recorded)
    assert replayed["verdict"] == "PARTIAL" and replayed["summary"]["failed"] == 0
    assert "replaying the selection the set was recorded with: -k 'auth or delete'" in result.stdout
    assert f"{len(not_recorded)} requirement(s) asked for were not recorded" in result.stdout


def test_asking_for_more_than_was_recorded_reports_the_extra_as_not_recorded(recorded, tmp_path):
    result = cli("--replay", str(recorded / "set"), "-k", "auth or delete or create", "--report-dir", str(tmp_path))
    replayed = report(tmp_path)
    extra = {r["id"]: r["reason"] for r in replayed["requirements"] if r["status"] == "not_run"}
    assert result.returncode == 0, result.stdout[-2000:]
    assert "card.create.returns-card" in extra and set(extra.values()) == {"not recorded"}
    assert replayed["summary"]["failed"] == replayed["summary"]["error"] == 0


def test_a_cassette_that_cannot_be_parsed_is_an_input_error_naming_it(recorded, tmp_path):
    broken = tmp_path / "set"
    subprocess.run(["cp", "-r", str(recorded / "set"), str(broken)], check=True)
    damaged = sorted((broken / "test_auth").glob("*.json"))[0]
    damaged.write_text('{"interactions": [{"request": 5')
    result = cli("--replay", str(broken), "--report-dir", str(tmp_path / "out"))
    assert result.returncode == 2
    assert str(damaged) in result.stdout + result.stderr and "cannot be read" in result.stdout + result.stderr
    assert not (tmp_path / "out" / "report.json").exists()  # no verdict on the target from a broken input
