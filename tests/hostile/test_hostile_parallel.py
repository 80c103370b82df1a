"""Parallel runs: --workers gives the serial verdicts; --shard splits a run deterministically."""

import json
import random
import subprocess
import sys
from dataclasses import dataclass
from urllib.parse import parse_qsl

import pytest

from conformance.cli import main
from conformance.reference import ReferenceServer, create_app
from conformance.selection import Shard

pytest_plugins = ["pytester"]

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_parallel12"
# One seed for both runs: the verdicts compared must come from the same generated data.
SEED = "hostile-parallel"


@dataclass(frozen=True)
class Item:
    nodeid: str


ITEMS = [Item(f"suite/test_{area}.py::test_{n}") for area in ("create", "update", "list") for n in range(13)]


@pytest.mark.parametrize("count", [1, 2, 3, 5, 39, 50])
def test_shards_are_disjoint_complete_and_balanced(count):
    parts = [Shard(i, count).select(ITEMS)[0] for i in range(1, count + 1)]
    ids = [item.nodeid for part in parts for item in part]
    assert sorted(ids) == sorted(item.nodeid for item in ITEMS) and len(ids) == len(set(ids))
    sizes = [len(part) for part in parts]
    assert max(sizes) - min(sizes) <= 1


def test_a_shard_does_not_depend_on_collection_order():
    shuffled = ITEMS[:]
    random.Random(7).shuffle(shuffled)
    for index in (1, 2, 3):
        first = {i.nodeid for i in Shard(index, 3).select(ITEMS)[0]}
        again = {i.nodeid for i in Shard(index, 3).select(shuffled)[0]}
        assert first == again


def test_kept_items_stay_in_collection_order():
    kept, dropped = Shard(2, 4).select(ITEMS)
    assert kept == [item for item in ITEMS if item in kept] and not set(kept) & set(dropped)


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "1-3", ""])
def test_bad_shard_specs_are_refused(text):
    with pytest.raises(ValueError, match="--shard"):
        Shard.parse(text)


class RunTags:
    """ASGI middleware noting the run tag of every customer created."""

    def __init__(self, app):
        self.app = app
        self.tags = []

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/v1/customers":
            body = b""
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            self.tags += [v for k, v in parse_qsl(body.decode()) if k == "metadata[conformance_run]"]
            replayed = [{"type": "http.request", "body": body, "more_body": False}]

            async def replay():
                return replayed.pop() if replayed else await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


def run(server, tmp_path, *args):
    result = subprocess.run(
        [*CLI, "run", "--target", server.url, "--api-key", KEY, "--report-dir", str(tmp_path), *args],
        capture_output=True, text=True, timeout=300,
    )
    report = json.loads((tmp_path / "report.json").read_text()) if (tmp_path / "report.json").exists() else None
    return result, report


def verdicts(report):
    return {r["id"]: (r["status"], tuple(sorted(r["tests"])), len(r["failures"])) for r in report["requirements"]}


def test_workers_give_the_same_verdicts_as_a_serial_run_under_one_run_id(tmp_path):
    serial_app, parallel_app = RunTags(create_app()), RunTags(create_app())
    with ReferenceServer(app=serial_app) as serial_server, ReferenceServer(app=parallel_app) as parallel_server:
        serial, serial_report = run(serial_server, tmp_path / "serial", "--seed", SEED)
        parallel, parallel_report = run(parallel_server, tmp_path / "parallel", "--workers", "2", "--seed", SEED)
    assert serial.returncode == parallel.returncode == 0, parallel.stdout[-2000:]
    assert "[gw1]" not in serial.stdout and "bringing up nodes" in parallel.stdout + parallel.stderr
    assert verdicts(parallel_report) == verdicts(serial_report)
    assert parallel_report["summary"] == serial_report["summary"]
    assert len(set(parallel_app.tags)) == 1 and len(parallel_app.tags) > 10  # workers share the run id


@pytest.fixture
def collected(pytester):
    def collect(*args):
        result = pytester.runpytest_inprocess(
            "--pyargs", "conformance.suite", "--co", "-q", "-p", "no:cacheprovider", "--stripe-api-key", KEY, *args
        )
        return {line.strip() for line in result.outlines if "::" in line}

    return collect


def test_shards_of_the_suite_partition_the_collected_scenarios(collected):
    everything = collected()
    parts = [collected("--stripe-shard", f"{i}/3") for i in (1, 2, 3)]
    assert len(everything) > 10 and set().union(*parts) == everything
    assert sum(len(p) for p in parts) == len(everything)


def test_an_empty_shard_is_a_successful_run(tmp_path):
    with ReferenceServer() as server:
        empty = run(server, tmp_path, "-k", "test_missing_key_is_401", "--shard", "2/2")[0]
    assert empty.returncode == 0 and "shard 2/2 holds no scenario" in empty.stderr


def test_a_bad_shard_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["run", "--shard", "3/2"])
    assert exited.value.code == 2 and "I must be between 1 and N" in capsys.readouterr().err
