"""Shards of one run merge into the report of the whole run; a missing shard leaves the merge INCOMPLETE."""

import json
import subprocess
import sys

import pytest

CLI = [sys.executable, "-m", "conformance"]
RUN = ("--seed", "merge-seed", "--fuzz-examples", "2")


def cli(*args):
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def statuses(path):
    return {r["id"]: r["status"] for r in json.loads(path.read_text())["requirements"]}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("shards")
    whole = cli("run", *RUN, "--report-dir", str(base / "whole"))
    shards = [cli("run", *RUN, "--shard", f"{i}/2", "--report-dir", str(base / f"shard{i}")) for i in (1, 2)]
    return base, whole, shards


def test_each_shard_records_its_selection_and_is_only_partial(runs, report_validator):
    base, _, shards = runs
    for index, shard in enumerate(shards, 1):
        assert shard.returncode == 0, shard.stdout[-2000:] + shard.stderr
        report = json.loads((base / f"shard{index}" / "report.json").read_text())
        report_validator.validate(report)
        assert report["verdict"] == "PARTIAL" and report["conforms"] is False
        assert report["selection"]["shard"] == f"{index}/2" and report["selection"]["seed"] == "merge-seed"
        assert report["selection"]["fuzz_examples"] == 2 and len(report["selection"]["requirements"]) > 80
        assert "verdict: PARTIAL" in shard.stdout


def test_merged_shards_give_the_statuses_of_one_unsharded_run(runs, report_validator):
    base, whole, _ = runs
    merged = cli("merge", str(base / "shard1" / "report.json"), str(base / "shard2" / "report.json"),
                 "--report-dir", str(base / "merged"))
    assert whole.returncode == 0 and merged.returncode == 0, merged.stdout + merged.stderr
    report = json.loads((base / "merged" / "report.json").read_text())
    report_validator.validate(report)
    assert statuses(base / "merged" / "report.json") == statuses(base / "whole" / "report.json")
    assert report["verdict"] == "CONFORMS" and report["selection"]["shards_merged"] == ["1/2", "2/2"]
    assert all((base / "merged" / name).is_file() for name in ("report.html", "summary.md", "junit.xml"))
    shards = [json.loads((base / f"shard{i}" / "report.json").read_text())["traffic"] for i in (1, 2)]
    assert report["traffic"] == {key: shards[0][key] + shards[1][key] for key in shards[0]}
    # The same seed sends the same requests per scenario, whichever shard runs it.
    whole_traffic = json.loads((base / "whole" / "report.json").read_text())["traffic"]
    assert report["traffic"]["in_scenarios"] == whole_traffic["in_scenarios"]


def test_a_missing_shard_leaves_its_requirements_not_run(runs):
    base, _, _ = runs
    merged = cli("merge", str(base / "shard1" / "report.json"), "--report-dir", str(base / "half"))
    report = json.loads((base / "half" / "report.json").read_text())
    missing = [r for r in report["requirements"] if r["status"] == "not_run"]
    assert merged.returncode == 4 and report["verdict"] == "INCOMPLETE" and report["outcome"] == "incomplete"
    assert missing and all("shard(s) 2/2 missing" in r["reason"] for r in missing)
    assert "verdict: INCOMPLETE" in merged.stdout


def test_merge_refuses_shards_of_another_seed_in_one_line(runs, tmp_path):
    base, _, _ = runs
    other = json.loads((base / "shard2" / "report.json").read_text())
    other["selection"]["seed"] = "another-seed"
    (tmp_path / "other.json").write_text(json.dumps(other))
    merged = cli("merge", str(base / "shard1" / "report.json"), str(tmp_path / "other.json"),
                 "--report-dir", str(tmp_path / "out"))
    assert merged.returncode == 2 and merged.stderr.count("\n") == 1 and "seed" in merged.stderr
    assert not (tmp_path / "out").exists()
