"""The fuzzing cleans up as it goes: a large budget never meets the account limits its own leftovers would fill."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from conformance.reference import ReferenceServer, Store, create_app
from conformance.reference.other_objects import MAX_TEST_WEBHOOK_ENDPOINTS

CLI = [sys.executable, "-m", "conformance", "run"]


class CountingCreates:
    """ASGI middleware counting the webhook endpoints the app accepted to create."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.created = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        creating = scope["type"] == "http" and scope["method"] == "POST" and scope["path"] == "/v1/webhook_endpoints"

        async def counting_send(message: Any) -> None:
            if creating and message["type"] == "http.response.start" and message["status"] == 200:
                self.created += 1
            await send(message)

        await self.app(scope, receive, counting_send)


def test_a_budget_creating_more_webhook_endpoints_than_an_account_holds_conforms(tmp_path: Path) -> None:
    # Seed 1 at 30 examples created more than 16 endpoints in one operation's examples; kept until the
    # operation ended, the 17th valid create was refused and fuzz.positive-accepted failed a faithful server.
    app = CountingCreates(create_app(Store()))
    with ReferenceServer(app=app) as server:
        result = subprocess.run(
            [*CLI, "--target", server.url, "--api-key", "sk_test_limits1", "-k", "PostWebhookEndpoints",
             "--fuzz-examples", "30", "--seed", "1", "--report-dir", str(tmp_path)],
            capture_output=True, text=True, timeout=300,
        )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["verdict"] == "PARTIAL" and not [r for r in report["requirements"] if r["failures"]]
    assert app.created > MAX_TEST_WEBHOOK_ENDPOINTS  # the limit was within reach
