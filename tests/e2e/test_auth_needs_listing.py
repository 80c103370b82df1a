"""``auth.refused-has-no-effect`` is judged only where the card list answers.

Whether a request refused for want of a key attached a card shows only in the customer's card
list. A target that refuses that list (here: a 403 for every GET of a customer's sources) or does
not serve it leaves the requirement blocked / unsupported with the reason, never passed or failed.
"""

import json
import subprocess
import sys

import pytest
from starlette.types import Receive, Scope, Send

from conformance.checks import Blocked, Unsupported, Verifier
from conformance.http import StripeClient
from conformance.reference import ReferenceServer, Store, create_app
from conformance.suite import test_auth

REQUIREMENT = "auth.refused-has-no-effect"
KEY = "sk_test_listingrefused1"


class ListingRefused:
    """The reference server, except that every GET of a customer's sources gets ``status`` and ``message``."""

    def __init__(self, status: int, message: str) -> None:
        self.app = create_app(Store())
        self.status, self.message = status, message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and scope["path"].endswith("/sources"):
            body = json.dumps({"error": {"type": "invalid_request_error", "message": self.message}}).encode()
            await send({"type": "http.response.start", "status": self.status,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


def judge(app: ListingRefused, check: Verifier) -> None:
    """Run the scenario against ``app`` on a fresh customer."""
    with ReferenceServer(app=app) as server:
        client = StripeClient(server.url, KEY)
        customer = client.post("/v1/customers", {}).json()["id"]
        test_auth.test_refused_request_attaches_nothing(client, customer, check)


def test_a_refused_listing_blocks_the_requirement_with_nothing_judged():
    check = Verifier([REQUIREMENT])
    with pytest.raises(Blocked) as raised:
        judge(ListingRefused(403, "Listing sources is not allowed for this key."), check)
    assert raised.value.precondition == test_auth.CARD_LIST_PRECONDITION
    assert "HTTP 403" in raised.value.reason and raised.value.evidence["response"]["status"] == 403
    assert not check.passed and not check.failures  # the 401s alone are no pass of the requirement


def test_a_missing_list_route_is_unsupported():
    check = Verifier([REQUIREMENT])
    with pytest.raises(Unsupported, match="sources"):
        judge(ListingRefused(404, "Unrecognized request URL (GET: /v1/customers/cus_x/sources)."), check)
    assert not check.passed and not check.failures


def test_a_listing_that_answers_judges_the_requirement():
    check = Verifier([REQUIREMENT])
    with ReferenceServer() as server:
        client = StripeClient(server.url, KEY)
        customer = client.post("/v1/customers", {}).json()["id"]
        test_auth.test_refused_request_attaches_nothing(client, customer, check)
    assert check.passed[REQUIREMENT] == 4 and not check.failures


def test_the_run_reports_the_requirement_blocked_by_the_listing(tmp_path):
    with ReferenceServer(app=ListingRefused(403, "Listing sources is not allowed for this key.")) as server:
        result = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--target", server.url, "--api-key", KEY,
             "--report-dir", str(tmp_path), "-k", "test_refused_request_attaches_nothing"],
            capture_output=True, text=True, timeout=300,
        )
    output = result.stdout[-3000:] + result.stderr[-2000:]
    report = json.loads((tmp_path / "report.json").read_text())
    row = next(r for r in report["requirements"] if r["id"] == REQUIREMENT)
    assert row["status"] == "blocked" and not row["failures"], (row, output)
    assert row["blocked_by"] == test_auth.CARD_LIST_PRECONDITION and "HTTP 403" in row["reason"]
    causes = {cause["id"]: cause for cause in report["root_causes"]}
    assert causes[test_auth.CARD_LIST_PRECONDITION]["requirements"] == [REQUIREMENT]
    assert report["summary"]["failed"] == 0 and report["summary"]["passed"] == 0, report["summary"]
