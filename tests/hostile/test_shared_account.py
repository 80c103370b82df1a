"""A shared account: other senders add objects to the account-wide lists while the scenarios run.

Against Stripe's test mode other traffic may use the same account, and the processes of one
``--concurrency`` run are other senders to each other. A scenario may assert only about objects it
made itself. Here a faithful reference server sits behind ``OtherSender``: every first read of an
account-wide list (webhook endpoints, climate orders, forwarding requests, onramp sessions) is
preceded by another sender's create of that kind, the interleaving that once made a concurrent run
against the faithful server end DOES NOT CONFORM ("the list gained [...]"). The run must conform,
and no check may act on another sender's objects (the climate validation scenario once canceled
every order that appeared during it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from conformance.checks import ConformanceError, Verifier
from conformance.http import Response, StripeClient
from conformance.http.ratelimit import DEFAULT_CONCURRENCY
from conformance.reference import ReferenceServer, Store, create_app
from conformance.suite.api_checks import PAGE_SIZE, walk_pages

KEY = "sk_test_sharedaccount"
OTHER = {"metadata[other_sender]": "yes"}
DESTINATION = "https://example.com/stripe-conformance/payments"
ORDERS = "/v1/climate/orders"
EVENTS = ["customer.created"]
SCENARIOS = "test_webhook_endpoints or test_climate or test_forwarding or test_crypto_onramp"


def foreign_create(path: str, product: str | None) -> dict[str, str] | None:
    """The form body another sender posts to the collection ``path`` (None: not a watched collection)."""
    if path == "/v1/webhook_endpoints":
        return {"url": "https://example.com/other-sender", "enabled_events[0]": "customer.created", **OTHER}
    if path == ORDERS and product:
        return {"product": product, "metric_tons": "0.5", **OTHER}
    if path == "/v1/forwarding/requests":
        body = json.dumps({"card": {"number": "", "expiryMonth": "", "expiryYear": "", "cvc": ""}})
        return {"payment_method": "pm_card_visa", "url": DESTINATION, "replacements[0]": "card_number",
                "request[body]": body}
    if path == "/v1/crypto/onramp_sessions":
        return {"wallet_addresses[ethereum]": "0x0000000000000000000000000000000000c0ffee",
                "destination_networks[0]": "ethereum", "destination_currencies[0]": "usdc", "source_currency": "usd"}
    return None


class OtherSender:
    """ASGI middleware: before each first-page read of a watched list, another sender creates one object in it."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap the faithful ``app``."""
        self.app = app
        self.created: dict[str, int] = {}

    async def _call(self, scope: Scope, method: str, path: str, body: bytes = b"") -> tuple[int, Any]:
        headers = [(k, v) for k, v in scope["headers"] if k.lower() in (b"authorization", b"stripe-version")]
        headers.append((b"content-type", b"application/x-www-form-urlencoded"))
        inner = {**scope, "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": headers}
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, send)
        return start["status"], json.loads(b"".join(chunks) or b"null")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Create a foreign object first when ``scope`` reads the first page of a watched list."""
        if scope["type"] == "http" and scope["method"] == "GET":
            query = parse_qs(scope.get("query_string", b"").decode())
            product = None
            if scope["path"] == ORDERS:
                _, products = await self._call(scope, "GET", "/v1/climate/products")
                product = (products.get("data") or [{}])[0].get("id") if isinstance(products, dict) else None
            form = foreign_create(scope["path"], product)
            if form is not None and not {"starting_after", "ending_before"} & set(query):
                status, _ = await self._call(scope, "POST", scope["path"], urlencode(form).encode())
                if status == 200:
                    self.created[scope["path"]] = self.created.get(scope["path"], 0) + 1
        await self.app(scope, receive, send)


def run(url: str, report_dir: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run the seed-000 scenarios (no fuzzing) against ``url`` through the CLI."""
    argv = [sys.executable, "-m", "conformance", "run", "--target", url, "--report-dir", str(report_dir),
            "--fuzz-examples", "0", "-k", SCENARIOS, *args]
    env = {**os.environ, "STRIPE_API_KEY": KEY}
    result = subprocess.run(argv, capture_output=True, text=True, timeout=240, env=env)
    path = report_dir / "report.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    return result.returncode, report, result.stdout[-3000:] + result.stderr[-2000:]


@pytest.mark.parametrize("processes", [1, DEFAULT_CONCURRENCY], ids=["serial", "default-concurrency"])
def test_scenarios_count_only_their_own_objects(processes: int, tmp_path: Path) -> None:
    other = OtherSender(create_app(Store()))
    with ReferenceServer(app=other) as server:
        code, report, output = run(server.url, tmp_path, "--concurrency", str(processes))
        orders = StripeClient(server.url, KEY).get(ORDERS, {"limit": 100}).json()["data"]
    failed = {r["id"]: r.get("failures") for r in report.get("requirements", []) if r["status"] in ("failed", "error")}
    assert code == 0 and not failed, f"{failed}\n{output}"
    passed = {r["id"] for r in report["requirements"] if r["status"] == "passed"}
    assert {"webhook_endpoints.create.required-params", "forwarding.create.required-params",
            "forwarding.idempotency", "climate.order.create.quantity-exclusive"} <= passed
    # The other sender did add to every watched list while the scenarios ran...
    assert set(other.created) == {"/v1/webhook_endpoints", ORDERS, "/v1/forwarding/requests",
                                  "/v1/crypto/onramp_sessions"}, other.created
    # ... and none of its orders was canceled by a scenario.
    foreign = [o for o in orders if o.get("metadata", {}).get("other_sender") == "yes"]
    assert foreign and all(o["status"] != "canceled" for o in foreign), [o["status"] for o in foreign]


class DeletesTheCursor:
    """A client that, once, deletes the object a walk just listed before the walk asks for the next page.

    The interleaving of a scenario paging an account-wide list while another sender's teardown
    deletes its own objects.
    """

    def __init__(self, client: StripeClient) -> None:
        """Send through ``client``."""
        self.client = client
        self.deleted: list[str] = []

    def get(self, path: str, params: Any = None) -> Any:
        """List or retrieve; after the first page of a walk, delete the object it listed."""
        answer = self.client.get(path, params)
        first_page = isinstance(params, dict) and params.get("limit") == PAGE_SIZE and "starting_after" not in params
        if first_page and not self.deleted:
            self.deleted.append(answer.json()["data"][-1]["id"])  # the cursor of the next page
            self.client.delete(f"{path}/{self.deleted[0]}")
        return answer


def test_a_walk_whose_cursor_another_sender_deletes_starts_over() -> None:
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        made = [client.post("/v1/webhook_endpoints", {"url": f"https://example.com/{n}", "enabled_events": EVENTS})
                .json()["id"] for n in range(2 * PAGE_SIZE + 1)]
        other = DeletesTheCursor(client)
        check = Verifier(["webhook_endpoints.list.newest-first"])
        walked = walk_pages(other, check, "/v1/webhook_endpoints", "webhook_endpoints.list.newest-first")  # type: ignore[arg-type]
    assert other.deleted == [made[-PAGE_SIZE]]
    assert walked == [m for m in reversed(made) if m not in other.deleted] and not check.failures


class RefusesCursors(DeletesTheCursor):
    """A target fault: every ``starting_after`` is refused, though the object still retrieves."""

    def get(self, path: str, params: Any = None) -> Any:
        """Refuse paged reads with a 400; everything else is the faithful answer."""
        answer = self.client.get(path, params)
        if isinstance(params, dict) and "starting_after" in params:
            return Response(400, (), b'{"error": {"type": "invalid_request_error"}}', answer.request)
        return answer


def test_a_refused_cursor_that_still_exists_fails_the_walk() -> None:
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        for n in range(PAGE_SIZE + 1):
            client.post("/v1/webhook_endpoints", {"url": f"https://example.com/{n}", "enabled_events": EVENTS})
        check = Verifier(["webhook_endpoints.list.newest-first"])
        with pytest.raises(ConformanceError):
            walk_pages(RefusesCursors(client), check, "/v1/webhook_endpoints", "webhook_endpoints.list.newest-first")  # type: ignore[arg-type]
