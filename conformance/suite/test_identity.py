"""Identity verification reports (seeds/000 'Verification Report'): retrieve, list, filters, paging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.checks import Blocked, Verifier
from conformance.http import Response, StripeClient
from conformance.suite.api_checks import check_newest_first, check_not_found, require_route, walk_pages
from conformance.suite.cite import requires

pytestmark = pytest.mark.needs_feature("identity")

FEATURE = "identity"
PATH = "/v1/identity/verification_reports"


def _listed(client: StripeClient) -> tuple[Response, list[dict[str, Any]]]:
    """The newest page (up to 100) of the account's reports and its answer; ``Blocked`` when there is none."""
    listed = client.get(PATH, {"limit": 100})
    require_route(listed, FEATURE)
    body = listed.json()
    data = body.get("data") if isinstance(body, dict) else None
    found = [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
    if listed.status != 200 or not found:
        raise Blocked("precondition.identity-reports",
                      f"the account has no verification report to read (GET {PATH}: HTTP {listed.status})")
    return listed, found


@pytest.fixture
def reports(stripe_client: StripeClient) -> list[dict[str, Any]]:
    """Up to 100 of the account's reports (reports are made by verification sessions, not by this suite)."""
    return _listed(stripe_client)[1]


def _matching(
    check: Verifier,
    client: StripeClient,
    params: dict[str, Any],
    wanted: Callable[[dict[str, Any]], bool],
    reports: list[dict[str, Any]],
    req: str,
) -> None:
    """Check a filtered list: every report answered matches, and none of ``reports`` that match is missing.

    ``reports`` is the newest page of the unfiltered list; when the filtered list has more pages, only
    the reports at least as new as its oldest answer must be in it.
    """
    answer = client.get(PATH, {**params, "limit": 100})
    check.status(answer, 200, req)
    body = answer.json()
    data = [item for item in body.get("data", []) if isinstance(item, dict)] if isinstance(body, dict) else []
    stray = [item.get("id") for item in data if not wanted(item)]
    check.that(not stray, f"expected only reports matching {params}, got {stray[:6]}", answer, req,
               json_path="$.data[*]")
    got = {item.get("id") for item in data}
    oldest = min((item.get("created", 0) for item in data), default=0) if body.get("has_more") else 0
    missing = [r["id"] for r in reports if wanted(r) and r.get("created", 0) >= oldest and r["id"] not in got]
    check.that(not missing, f"expected the reports matching {params} to include {missing[:6]}", answer, req,
               json_path="$.data[*].id")


@requires("identity.report.list-retrieve", "identity.report.filter-type", "identity.report.filter-session",
          "identity.report.filter-client-reference", "identity.report.filter-created", "identity.report.pagination",
          "identity.report.unknown-id")
def test_list_retrieve_filters_and_pages(stripe_client: StripeClient, check: Verifier) -> None:
    # Reports are only read: one listing of them serves the order, the filters and the paging.
    listed, reports = _listed(stripe_client)
    with check.soft():
        check_newest_first(check, listed, "identity.report.list-retrieve")
        for report in reports[:3]:
            retrieved = stripe_client.get(f"{PATH}/{report['id']}")
            req = "identity.report.list-retrieve"
            check.status(retrieved, 200, req)
            check.equal(retrieved, "$.object", "identity.verification_report", req)
            for name in ("id", "type", "verification_session", "client_reference_id", "created"):
                check.equal(retrieved, f"$.{name}", report.get(name), req)
        # The list above showed the route is served: this 404 is about the id.
        check_not_found(check, stripe_client.get(f"{PATH}/vr_doesnotexist0042"), "identity.report.unknown-id")
        for kind in ("document", "id_number"):
            _matching(check, stripe_client, {"type": kind}, lambda r, k=kind: r.get("type") == k, reports,
                      "identity.report.filter-type")
        session = reports[0].get("verification_session")
        _matching(check, stripe_client, {"verification_session": session},
                  lambda r: r.get("verification_session") == session, reports, "identity.report.filter-session")
        reference = next((r.get("client_reference_id") for r in reports if r.get("client_reference_id")),
                         "conformance-no-such-reference")
        _matching(check, stripe_client, {"client_reference_id": reference},
                  lambda r: r.get("client_reference_id") == reference, reports,
                  "identity.report.filter-client-reference")
        times = sorted(r["created"] for r in reports if isinstance(r.get("created"), int))
        low, high = times[len(times) // 4], times[(3 * len(times)) // 4]
        _matching(check, stripe_client, {"created": {"gte": low, "lte": high}},
                  lambda r: isinstance(r.get("created"), int) and low <= r["created"] <= high, reports,
                  "identity.report.filter-created")
        walked = walk_pages(stripe_client, check, PATH, "identity.report.pagination")
        expected = [r["id"] for r in reports][: len(walked)]
        check.that(walked == expected, f"expected paging to follow the list order {expected[:6]}, got {walked[:6]}",
                   None, "identity.report.pagination")


@requires("identity.report.filter-invalid-type")
def test_invalid_type_filter_refused(stripe_client: StripeClient, check: Verifier) -> None:
    answer = stripe_client.get(PATH, {"type": "passport_scan"})
    require_route(answer, FEATURE)
    check.error(answer, status=400)
