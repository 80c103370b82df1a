"""Identity verification reports (seeds/000 'Verification Report'): retrieve, list, filters, paging."""

from __future__ import annotations

from typing import Any

import pytest

from conformance.checks import Blocked, Verifier
from conformance.http import StripeClient
from conformance.suite.api_checks import check_newest_first, check_not_found, listed_ids, require_route, walk_pages
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("identity")

FEATURE = "identity"
PATH = "/v1/identity/verification_reports"


@pytest.fixture
def reports(stripe_client: StripeClient) -> list[dict[str, Any]]:
    """Up to 100 of the account's reports (reports are made by verification sessions, not by this suite)."""
    listed = stripe_client.get(PATH, {"limit": 100})
    require_route(listed, FEATURE)
    body = listed.json()
    data = body.get("data") if isinstance(body, dict) else None
    found = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    if listed.status != 200 or not found:
        raise Blocked("precondition.identity-reports",
                      f"the account has no verification report to read (GET {PATH}: HTTP {listed.status})")
    return found


def _matching(check: Verifier, client: StripeClient, params: dict[str, Any], expected: list[object], req: str) -> None:
    answer = client.get(PATH, {**params, "limit": 100})
    check.status(answer, 200, req)
    got = listed_ids(answer)
    check.that(sorted(map(str, got)) == sorted(map(str, expected)),
               f"expected the reports matching {params}: {expected[:6]}, got {got[:6]}", answer, req,
               json_path="$.data[*].id")


@requires("identity.report.list-retrieve")
def test_list_newest_first_and_retrieve(stripe_client: StripeClient, reports: list[dict[str, Any]],
                                        check: Verifier) -> None:
    listed = stripe_client.get(PATH, {"limit": 100})
    check_newest_first(check, listed, "identity.report.list-retrieve")
    for report in reports[:3]:
        retrieved = stripe_client.get(f"{PATH}/{report['id']}")
        with check.soft():
            check.status(retrieved, 200)
            check.equal(retrieved, "$.object", "identity.verification_report")
            for name in ("id", "type", "verification_session", "client_reference_id", "created"):
                check.equal(retrieved, f"$.{name}", report.get(name))


@requires("identity.report.filter-type", "identity.report.filter-session", "identity.report.filter-client-reference",
          "identity.report.filter-created")
def test_list_filters(stripe_client: StripeClient, reports: list[dict[str, Any]], check: Verifier) -> None:
    with check.soft():
        for kind in ("document", "id_number"):
            expected = [r["id"] for r in reports if r.get("type") == kind]
            _matching(check, stripe_client, {"type": kind}, expected, "identity.report.filter-type")
        session = reports[0].get("verification_session")
        expected = [r["id"] for r in reports if r.get("verification_session") == session]
        _matching(check, stripe_client, {"verification_session": session}, expected, "identity.report.filter-session")
        reference = next((r.get("client_reference_id") for r in reports if r.get("client_reference_id")), None)
        if reference is not None:
            expected = [r["id"] for r in reports if r.get("client_reference_id") == reference]
            _matching(check, stripe_client, {"client_reference_id": reference}, expected,
                      "identity.report.filter-client-reference")
        else:
            _matching(check, stripe_client, {"client_reference_id": "conformance-no-such-reference"}, [],
                      "identity.report.filter-client-reference")
        times = sorted(r["created"] for r in reports if isinstance(r.get("created"), int))
        low, high = times[len(times) // 4], times[(3 * len(times)) // 4]
        expected = [r["id"] for r in reports if isinstance(r.get("created"), int) and low <= r["created"] <= high]
        _matching(check, stripe_client, {"created": {"gte": low, "lte": high}}, expected,
                  "identity.report.filter-created")


@requires("identity.report.filter-invalid-type")
def test_invalid_type_filter_refused(stripe_client: StripeClient, check: Verifier) -> None:
    answer = stripe_client.get(PATH, {"type": "passport_scan"})
    require_route(answer, FEATURE)
    check.error(answer, status=400)


@requires("identity.report.pagination")
def test_pages(stripe_client: StripeClient, reports: list[dict[str, Any]], check: Verifier) -> None:
    walked = walk_pages(stripe_client, check, PATH, "identity.report.pagination")
    expected = [r["id"] for r in reports][: len(walked)]
    check.that(walked == expected, f"expected paging to follow the list order {expected[:6]}, got {walked[:6]}", None)


@requires("identity.report.unknown-id")
def test_unknown_report_is_404(stripe_client: StripeClient, check: Verifier) -> None:
    require_route(stripe_client.get(PATH, {"limit": 1}), FEATURE)
    check_not_found(check, stripe_client.get(f"{PATH}/vr_doesnotexist0042"), "identity.report.unknown-id")
