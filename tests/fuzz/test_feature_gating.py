"""Operations needing a feature the target's profile does not claim are not fuzzed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from fuzz_helpers import KEY, TODAY

from conformance.fuzz.features import OPERATION_FEATURES, unclaimed_operations
from conformance.fuzz.session import LoadedSurface
from conformance.fuzz.surface import load_surface, operations
from conformance.reference import ReferenceServer
from conformance.targets.profile import FEATURES, custom_profile, load_profile

IDS = [ref.operation_id for ref in operations(load_surface())]


def test_every_mapped_operation_and_feature_exists() -> None:
    assert set(OPERATION_FEATURES) <= set(IDS)
    assert {f for features in OPERATION_FEATURES.values() for f in features} <= set(FEATURES)


def test_a_target_claiming_everything_is_fuzzed_everywhere() -> None:
    assert unclaimed_operations(IDS, custom_profile()) == []
    assert unclaimed_operations(IDS, load_profile("reference")) == []


def test_the_state_machine_leaves_unclaimed_operations_out() -> None:
    profile = load_profile("stripe-stateful-mock")
    surface = LoadedSurface.load("http://127.0.0.1:9", today=TODAY, profile=profile)
    kept = {result.ok().label for result in surface.schema.get_all_operations()}
    assert "POST /v1/customers/{customer}/sources" in kept
    assert not {label for label in kept if "webhook_endpoints" in label or ("/cards" in label and "POST" in label)}
    assert "GET /v1/customers/{customer}/sources" not in kept  # list_sources = false


def test_unclaimed_operations_are_skipped_with_the_reason(tmp_path: Path) -> None:
    profile = tmp_path / "no-webhooks.toml"
    profile.write_text('name = "no-webhooks"\n[features]\nwebhook_endpoints = false\n', encoding="utf-8")
    with ReferenceServer() as server:
        done = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--target", server.url, "--profile", str(profile),
             "-m", "fuzz", "-k", "WebhookEndpoints", "--report-dir", str(tmp_path / "out")],
            capture_output=True, text=True, timeout=240, env={**os.environ, "STRIPE_API_KEY": KEY},
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-1000:]
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    statuses = {r["id"]: (r["status"], r["reason"]) for r in report["requirements"]}
    status, reason = statuses["fuzz.no-server-error"]
    assert status == "unsupported"
    assert "does not claim webhook_endpoints" in reason
