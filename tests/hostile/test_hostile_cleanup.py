"""Cleanup that does not trust the target: whole-customer teardown, and the leftover sweep."""

import json
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from conformance.cli import main
from conformance.http import StripeClient, TransportSettings, build_transport
from conformance.reference import ReferenceServer, create_app
from conformance.suite.objects import RUN_TAG
from conformance.targets.cleanup import RUN_METADATA_KEY, SweepError, iter_customers, sweep

CLI = [sys.executable, "-m", "conformance"]
KEY = "sk_test_cleanup123"


class BrokenDelete:
    """ASGI middleware: DELETE on the selected paths answers 500 and changes nothing."""

    def __init__(self, app, *, cards=True, customers=False):
        self.app = app
        self.cards = cards
        self.customers = customers

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] == "http" and scope["method"] == "DELETE" and self._broken(path):
            body = b'{"error": {"type": "api_error", "message": "delete is broken on this target"}}'
            await send({"type": "http.response.start", "status": 500,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _broken(self, path):
        parts = path.strip("/").split("/")
        is_card = len(parts) == 5 and parts[3] in ("sources", "cards")
        is_customer = len(parts) == 3 and parts[1] == "customers"
        return (self.cards and is_card) or (self.customers and is_customer)


def all_customers(url):
    return list(iter_customers(StripeClient(url, KEY)))


def test_the_sweep_and_the_suite_use_the_same_tag():
    assert RUN_METADATA_KEY == RUN_TAG


def test_run_against_broken_card_delete_leaves_no_customer_behind(tmp_path):
    with ReferenceServer(app=BrokenDelete(create_app())) as server:
        result = subprocess.run(
            # --retries 0: each 500 would otherwise be retried with backoff, slowing the run, not changing it
            [*CLI, "run", "--target", server.url, "--api-key", KEY, "--report-dir", str(tmp_path), "--retries", "0"],
            capture_output=True, text=True, timeout=300,
        )
        left = all_customers(server.url)
    report = json.loads((tmp_path / "report.json").read_text())
    failed = {r["id"] for r in report["requirements"] if r["status"] in ("failed", "error")}
    assert result.returncode == 1 and "card.delete.stub" in failed  # the fault was hit...
    assert left == []  # ...and every customer the run made is gone anyway


def tagged(client, run_id, count):
    return [client.post("/v1/customers", {"metadata": {RUN_METADATA_KEY: run_id}}).json()["id"] for _ in range(count)]


@pytest.fixture
def populated():
    """120 customers of run A (more than one page), 3 of run B, 4 untagged."""
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        run_a = tagged(client, "run-a", 120)
        run_b = tagged(client, "run-b", 3)
        plain = [client.post("/v1/customers", {"metadata": {"other": "x"}}).json()["id"] for _ in range(4)]
        yield server, client, run_a, run_b, plain


def test_sweep_of_one_run_pages_through_everything_and_deletes_only_that_run(populated):
    server, client, run_a, run_b, plain = populated
    result = sweep(client, run_id="run-a")
    assert result.scanned == 127 and result.complete
    assert sorted(result.deleted) == sorted(run_a)
    assert sorted(c["id"] for c in all_customers(server.url)) == sorted(run_b + plain)


def test_sweep_without_run_id_takes_every_tagged_customer_but_never_untagged_ones(populated):
    server, client, _, _, plain = populated
    assert len(sweep(client).deleted) == 123
    assert sorted(c["id"] for c in all_customers(server.url)) == sorted(plain)


def test_older_than_spares_customers_of_runs_still_in_progress(populated):
    server, client, *_ = populated
    assert sweep(client, older_than=3600).matched == ()
    later = sweep(client, older_than=3600, now=time.time() + 7200, dry_run=True)
    assert len(later.matched) == 123 and later.deleted == ()
    assert len(all_customers(server.url)) == 127  # a dry run deletes nothing


def test_sweep_reports_customers_it_could_not_delete():
    with ReferenceServer(app=BrokenDelete(create_app(), cards=False, customers=True)) as server:
        client = StripeClient(server.url, KEY, transport=build_transport(server.url, TransportSettings(retries=0)))
        ids = tagged(client, "run-x", 2)
        result = sweep(client, run_id="run-x")
    assert not result.complete and sorted(i for i, _ in result.failed) == sorted(ids)
    assert "HTTP 500" in result.failed[0][1]


def test_sweep_refuses_a_target_whose_list_is_not_stripe_like():
    with ReferenceServer() as server:
        client = StripeClient(server.url, None)  # 401 on the list
        with pytest.raises(SweepError, match="HTTP 401"):
            sweep(client)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cleanup(capsys):
    """Run ``stripe-conformance cleanup`` in-process (it starts no pytest session)."""

    def invoke(*args):
        with pytest.raises(SystemExit) as exited:
            main(["cleanup", *args])
        out, err = capsys.readouterr()
        return Ran(exited.value.code, out, err)

    return invoke


def test_cleanup_command_dry_run_then_delete_then_nothing_left(cleanup):
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        ids = tagged(client, "run-cli", 3)
        client.post("/v1/customers", {})
        fresh = cleanup("--target", server.url, "--api-key", KEY)  # default --older-than 1h: too young
        dry = cleanup("--target", server.url, "--api-key", KEY, "--older-than", "0", "--dry-run")
        real = cleanup("--target", server.url, "--api-key", KEY, "--run-id", "run-cli")
        again = cleanup("--target", server.url, "--api-key", KEY, "--older-than", "0s")
        remaining = all_customers(server.url)
    assert fresh.returncode == 0 and "0 deleted" in fresh.stdout
    assert dry.returncode == 0 and all(f"would delete {i}" in dry.stdout for i in ids)
    assert real.returncode == 0 and "3 deleted" in real.stdout
    assert again.returncode == 0 and "0 tagged leftovers" in again.stdout
    assert len(remaining) == 1


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--older-than", "soon"], 2, "not a duration"),
        (["--api-key", "sk_live_nope12345"], 2, "live-mode key"),
    ],
)
def test_cleanup_command_usage_errors(args, code, says, cleanup):
    result = cleanup("--target", "http://127.0.0.1:9", *(["--api-key", KEY] if "--api-key" not in args else []), *args)
    assert result.returncode == code and says in result.stderr and "Traceback" not in result.stderr


def test_cleanup_command_unreachable_target_is_exit_3(cleanup):
    result = cleanup("--target", "http://127.0.0.1:9", "--api-key", KEY)
    assert result.returncode == 3 and "cannot reach" in result.stderr


def test_cleanup_command_with_undeletable_customers_is_exit_1(cleanup):
    with ReferenceServer(app=BrokenDelete(create_app(), cards=False, customers=True)) as server:
        tagged(StripeClient(server.url, KEY), "run-y", 1)
        result = cleanup("--target", server.url, "--api-key", KEY, "--run-id", "run-y")
    assert result.returncode == 1 and "could not delete" in result.stderr
