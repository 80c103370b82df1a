"""A target whose every DELETE fails: the run stays within its deadline, lists what it could not delete,
has tagged and recorded everything it made, and ``cleanup`` finds all of it once the target is healthy."""

import json
import subprocess
import sys
import time
from datetime import datetime

from test_hostile_cleanup import BrokenDelete

from conformance.http import StripeClient
from conformance.reference import ReferenceServer, create_app
from conformance.reference.store import Store
from conformance.targets.cleanup import DESCRIPTION_TAG, RUN_METADATA_KEY, iter_objects

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_teardown1"
DEADLINE = 30
COLLECTIONS = ("/v1/customers", "/v1/webhook_endpoints")


def objects(url):
    client = StripeClient(url, KEY)
    return [o for path in COLLECTIONS for o in iter_objects(client, path)]


def run_tag(item):
    tag = (item.get("metadata") or {}).get(RUN_METADATA_KEY)
    described = DESCRIPTION_TAG.match(str(item.get("description") or ""))
    return tag or (described.group("run") if described else None)


def seconds(stamp):
    return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


def test_deletes_that_all_fail_cost_no_retry_storm_and_leave_nothing_unfound(tmp_path):
    store = Store()
    with ReferenceServer(store=store, app=BrokenDelete(create_app(store), cards=True, customers=True)) as broken:
        began = time.monotonic()
        run = subprocess.run(
            [*CLI, "run", "--target", broken.url, "--api-key", KEY, "--report-dir", str(tmp_path / "report"),
             "--fuzz-examples", "1", "--deadline", str(DEADLINE)],
            capture_output=True, text=True, timeout=600,
        )
        elapsed = time.monotonic() - began
        left = objects(broken.url)
    report = json.loads((tmp_path / "report").joinpath("report.json").read_text())
    run_id = {run_tag(item) for item in left}
    failed = {f["id"] for f in report["teardown_failures"]}
    assert run.returncode in (1, 4), run.stdout[-3000:] + run.stderr
    assert seconds(report["finished"]) - seconds(report["started"]) <= DEADLINE + 20  # bounded: no retry storm
    untagged = {item["id"] for item in left if run_tag(item) is None}
    assert left and len(run_id - {None}) == 1 and untagged == set()  # every object carries the run's tag
    assert failed == {item["id"] for item in left}  # and the report lists each one it could not delete
    assert f"teardown: {len(failed)} object(s) could not be deleted" in run.stdout
    with ReferenceServer(store=store) as healthy:
        by_tag = subprocess.run(
            [*CLI, "cleanup", "--target", healthy.url, "--api-key", KEY, "--run-id", next(iter(run_id - {None})),
             "--dry-run"],
            capture_output=True, text=True, timeout=120,
        )
        cleanup = subprocess.run(
            [*CLI, "cleanup", "--target", healthy.url, "--api-key", KEY,
             "--ledger", str(tmp_path / "report" / "ledger.jsonl")],
            capture_output=True, text=True, timeout=120,
        )
        remaining = objects(healthy.url)
    swept = {line.split()[2] for line in by_tag.stdout.splitlines() if line.startswith("would delete")}
    assert swept == failed
    assert cleanup.returncode == 0, cleanup.stdout + cleanup.stderr
    assert remaining == []
    session = seconds(report["finished"]) - seconds(report["started"])
    print(f"MEASURED elapsed={elapsed:.1f}s session={session:.1f}s "
          f"left={len(left)} untagged={len(untagged)} failed_deletes={len(failed)} outcome={report['outcome']} "
          f"verdict={report['verdict']} "
          f"cleanup={cleanup.stdout.strip().splitlines()[-1]}")
