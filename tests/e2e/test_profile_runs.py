"""Target profiles end to end: unclaimed features skip, expectations hold both ways, the SDK finds faults."""

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import pytest

from conformance.reference import ReferenceServer, Store
from conformance.targets import generated_test_key

CLI = [sys.executable, "-m", "conformance"]
FIXED_ID = "card_1FKCxrBCvBiGc7Sdp8LvNQKQ"


class WrongDeletedId(Store):
    """Answers every card deletion with the same hard-coded id (as stripe-stateful-mock 0.0.16 does)."""

    def render_deleted_card(self, card: Any) -> dict[str, object]:
        return {"id": FIXED_ID, "object": "card", "deleted": True}


class EndlessList(Store):
    """Ignores cursors and always claims there is more: a list that never ends."""

    def paginate(self, items: Sequence[Any], page: Any, cursor_key: Any) -> tuple[list[Any], bool]:
        return list(items[: page.limit]), True


def run(url, tmp_path, *args, timeout=180):
    env = os.environ | {"STRIPE_API_KEY": generated_test_key()}
    result = subprocess.run(
        [*CLI, "run", "--target", url, "--report-dir", str(tmp_path / "out"), *args],
        capture_output=True, text=True, timeout=timeout, env=env,
    )
    report_file = tmp_path / "out" / "report.json"
    report = json.loads(report_file.read_text()) if report_file.exists() else {}
    return result, {r["id"]: r for r in report.get("requirements", [])}, report


def profile(tmp_path, body):
    path = tmp_path / "profile.toml"
    path.write_text('name = "under-test"\nstripe_version = "2023-08-16"\n' + body)
    return str(path)


EXPECT_WRONG_ID = """
[expectations."card.delete.stub"]
expected = "fail"
reason = "deleted stubs carry a hard-coded id"

[expectations."client.sdk.delete-card"]
expected = "fail"
reason = "the SDK gets the hard-coded id back"
"""


def test_known_deviation_is_xfailed_and_the_run_passes(tmp_path):
    with ReferenceServer(store=WrongDeletedId()) as server:
        result, by_id, report = run(server.url, tmp_path, "--profile", profile(tmp_path, EXPECT_WRONG_ID),
                                    "-k", "delete_returns_stub or sdk_deletes")
    assert result.returncode == 0, result.stdout + result.stderr
    assert by_id["card.delete.stub"]["status"] == "xfailed"
    assert by_id["client.sdk.delete-card"]["status"] == "xfailed"
    assert report["target"]["name"] == "under-test"


def test_the_same_deviation_without_an_expectation_fails_the_run(tmp_path):
    with ReferenceServer(store=WrongDeletedId()) as server:
        result, by_id, _ = run(server.url, tmp_path, "--profile", profile(tmp_path, ""),
                               "-k", "delete_returns_stub or sdk_deletes")
    assert result.returncode == 1
    assert by_id["card.delete.stub"]["status"] == "failed"
    sdk_failure = by_id["client.sdk.delete-card"]["failures"][0]["message"]
    assert FIXED_ID in sdk_failure


def test_a_deviation_that_went_away_fails_the_run(tmp_path):
    with ReferenceServer() as server:
        result, by_id, _ = run(server.url, tmp_path, "--profile", profile(tmp_path, EXPECT_WRONG_ID),
                               "-k", "delete_returns_stub")
    assert result.returncode == 1
    assert by_id["card.delete.stub"]["status"] == "failed"
    assert "unexpected pass" in (by_id["card.delete.stub"]["reason"] or "")


def test_scenarios_needing_an_unclaimed_feature_are_skipped_with_the_reason(tmp_path):
    with ReferenceServer() as server:
        result, by_id, _ = run(server.url, tmp_path, "--profile",
                               profile(tmp_path, "[features]\nupdate_source = false\n"), "-k", "update")
    assert result.returncode == 0, result.stdout + result.stderr
    updates = [r for rid, r in by_id.items() if rid.startswith(("card.update.", "client.sdk.update"))]
    assert updates and all(r["status"] == "unsupported" for r in updates)
    assert all("does not claim update_source" in r["reason"] for r in updates)


def test_a_list_that_never_ends_fails_the_sdk_requirement_and_does_not_hang(tmp_path):
    with ReferenceServer(store=EndlessList()) as server:
        result, by_id, _ = run(server.url, tmp_path, "-k", "sdk_auto_paging", timeout=120)
    assert result.returncode == 1
    failure = by_id["client.sdk.auto-paging"]["failures"][0]["message"]
    assert "still going" in failure


@pytest.mark.parametrize("name", ["nope", "/no/such/profile.toml"])
def test_unknown_profile_is_a_usage_error(tmp_path, name):
    result = subprocess.run([*CLI, "run", "--profile", name, "--report-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "profile" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_profile_without_url_needs_a_target(tmp_path):
    result = subprocess.run([*CLI, "run", "--profile", profile(tmp_path, ""), "--report-dir", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "gives no URL: pass --target URL" in result.stderr
