"""No vacuous pass, catalogue-wide: where a requirement's precondition cannot be met, it is never passed.

Beside the mutants (tests/mutants), which prove that every requirement can fail, these tests prove
that none passes unobserved: for every requirement of the catalogue, every scenario citing it is
played as it ends when its precondition fails (blocked by a root cause, the route unsupported,
returned before any check, never started) and the verdict is one of the not-assessed statuses;
and the fuzzing, against a target on which no customer or webhook endpoint can be made, assesses none of the
requirements that need one.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import conformance
from conformance.checks import Verifier
from conformance.checks.preconditions import Blocked
from conformance.fuzz.session import FuzzSession
from conformance.reference import ReferenceServer, Store
from conformance.reference.errors import invalid_request
from conformance.reference.other_objects import OtherObjects
from conformance.reporting import TestOutcome, aggregate, root_causes
from conformance.reporting.model import NOT_ASSESSED_STATUSES
from conformance.requirements import load_catalogue
from conformance.requirements.index import Scenario, scan_scenarios

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fuzz"))
from fuzz_helpers import session_for

PACKAGE = Path(conformance.__file__).resolve().parent
CAUSE = {"id": "precondition.customer-create", "reason": "Creating a customer answered HTTP 500.", "evidence": None}


def _scenarios() -> list[Scenario]:
    return scan_scenarios(PACKAGE)


def _ending(kind: str, scenario: Scenario) -> TestOutcome:
    """The outcome of ``scenario`` when its precondition fails in the way ``kind`` names (no check ran)."""
    if kind == "blocked":
        return TestOutcome(scenario.test, scenario.cited, "blocked", root_cause=CAUSE)
    if kind == "unsupported":
        missing = {"id": "route.customers", "reason": "POST /v1/customers answered Stripe's 404.", "evidence": None}
        return TestOutcome(scenario.test, scenario.cited, "unsupported", root_cause=missing)
    if kind == "returned-early":
        return TestOutcome(scenario.test, scenario.cited, "passed")
    if kind == "feature-unclaimed":
        detail = "target profile 'partial' does not claim update_source: POST /v1/customers/:id/sources/:id"
        return TestOutcome(scenario.test, scenario.cited, "skipped", detail=detail)
    return TestOutcome(scenario.test, scenario.cited, "skipped", detail="not run: the run deadline of 1 s had passed")


KINDS = ("blocked", "unsupported", "returned-early", "feature-unclaimed", "deadline")


def test_every_requirement_is_cited_by_a_scenario_these_tests_replay() -> None:
    cited = {rid for scenario in _scenarios() for rid in scenario.cited}
    assert [r.id for r in load_catalogue() if r.id not in cited] == []


@pytest.mark.parametrize("kind", KINDS)
def test_no_requirement_passes_when_its_precondition_fails(kind: str) -> None:
    outcomes = [_ending(kind, scenario) for scenario in _scenarios()]
    results = aggregate(outcomes, load_catalogue())
    assert len(results) == len(load_catalogue())
    wrong = {r.id: r.status for r in results if r.status not in NOT_ASSESSED_STATUSES}
    assert wrong == {}
    assert all(r.observations == 0 and r.reason for r in results)
    if kind in ("blocked", "unsupported"):
        assert {r.status for r in results} == {kind}
        (cause,) = root_causes(outcomes, results)
        assert set(cause.requirements) == {r.id for r in results}


def test_one_observation_elsewhere_is_what_makes_a_pass() -> None:
    scenarios = _scenarios()
    blocked = [_ending("blocked", scenario) for scenario in scenarios]
    first = scenarios[0]
    observed = TestOutcome(first.test + "[again]", first.cited, "passed", observations={first.cited[0]: 1})
    statuses = {r.id: r.status for r in aggregate([*blocked, observed], load_catalogue())}
    assert statuses[first.cited[0]] == "passed"
    assert [rid for rid, status in statuses.items() if status == "passed"] == [first.cited[0]]


# -- the fuzzing, live, against a target on which no object can be made -----------------------------------

# Lists and resource availability are not here: the seed-000 objects (onramp sessions, forwarding
# requests) can still be made on this target, and their lists and read-backs are real observations.
NEEDS_AN_OBJECT = (
    "fuzz.use-after-free",
    "fuzz.default-source-live",
    "fuzz.default-source-rules",
    "fuzz.deleted-stays-deleted",
    "fuzz.update-applies",
    "fuzz.update-read-back",
    "fuzz.refused-changes-nothing",
    "fuzz.webhook-secret-once",
)


class RefusingWebhooks(OtherObjects):
    """Refuses to create a webhook endpoint."""

    def create_webhook_endpoint(self, store: Store, params: Mapping[str, object]) -> Any:
        raise invalid_request("webhook endpoints cannot be created on this account", status=403)


class RefusesToCreate(Store):
    """Refuses to create a customer or a webhook endpoint: no fuzz precondition can be met."""

    other_objects_class = RefusingWebhooks

    def create_customer(self, params: Mapping[str, object], *, version: str) -> Any:
        raise invalid_request("customers cannot be created on this account", status=403)


@pytest.fixture
def nothing_can_be_made() -> Iterator[Callable[[], FuzzSession]]:
    servers: list[ReferenceServer] = []

    def start() -> FuzzSession:
        server = ReferenceServer(store=RefusesToCreate()).start()
        servers.append(server)
        return session_for(server, examples=3)

    yield start
    for server in servers:
        server.stop()


def test_the_stateful_fuzzing_assesses_nothing_that_needs_an_object(
    nothing_can_be_made: Callable[[], FuzzSession],
) -> None:
    from conformance.fuzz.machine import run_machine
    from conformance.fuzz.outcome import settle
    from conformance.fuzz.requirement_ids import SCENARIO_REQUIREMENTS

    session = nothing_can_be_made()
    verifier = Verifier(SCENARIO_REQUIREMENTS)
    # Hypothesis may give up early on such a target (every scenario ends at its first call): settle says so.
    with contextlib.suppress(pytest.skip.Exception):
        settle(run_machine(session), session, verifier)
    assert set(NEEDS_AN_OBJECT) <= set(verifier.unassessed)
    assert not set(NEEDS_AN_OBJECT) & set(verifier.passed)
    assert all(verifier.unassessed[rid].startswith("not observed: ") for rid in NEEDS_AN_OBJECT)


def test_operation_fuzzing_is_blocked_when_its_objects_cannot_be_made(
    nothing_can_be_made: Callable[[], FuzzSession],
) -> None:
    from conformance.fuzz.outcome import settle
    from conformance.fuzz.requirement_ids import OPERATION_REQUIREMENTS
    from conformance.fuzz.stateless import fuzz_operation
    from conformance.fuzz.surface import load_surface, operations

    by_id = {ref.operation_id: ref for ref in operations(load_surface())}
    session = nothing_can_be_made()
    verifier = Verifier(OPERATION_REQUIREMENTS)
    with pytest.raises(Blocked) as blocked:
        settle(fuzz_operation(session, by_id["PostCustomersCustomerSourcesId"]), session, verifier)
    assert blocked.value.precondition == "precondition.customer-create"
    assert not {"fuzz.update-applies", "fuzz.update-read-back", "fuzz.refused-changes-nothing"} & set(verifier.passed)
