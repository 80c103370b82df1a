"""Ending a fuzz test: passes only on observations, not assessed with a reason otherwise, blocked on setup."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fuzz_helpers import session_for

from conformance.checks import Verifier
from conformance.checks.preconditions import Blocked
from conformance.fuzz.outcome import settle
from conformance.fuzz.requirement_ids import (
    LIST_CONTRACT,
    NO_SERVER_ERROR,
    OPERATION_REQUIREMENTS,
    UPDATE_APPLIES,
    WEBHOOK_SECRET,
)
from conformance.fuzz.session import FuzzSession
from conformance.fuzz.stateless import fuzz_operation
from conformance.fuzz.surface import load_surface, operations
from conformance.reference import ReferenceServer, Store
from conformance.reference.errors import resource_missing

BY_ID = {ref.operation_id: ref for ref in operations(load_surface())}


class RefusesEveryToken(Store):
    """No test token attaches a card (a target whose card precondition cannot be met)."""

    def card_details_from_token(self, token: str, param: str) -> Any:
        raise resource_missing(f"No such token: '{token}'", param, 400)


@pytest.fixture
def session() -> Any:
    with ReferenceServer() as server:
        yield session_for(server, examples=1)


def test_only_observed_requirements_pass(session: FuzzSession) -> None:
    verifier = Verifier((NO_SERVER_ERROR, UPDATE_APPLIES, WEBHOOK_SECRET))
    session.observed.saw(NO_SERVER_ERROR, 5)
    session.observed.missed(UPDATE_APPLIES, "the object read before an update answered HTTP 404")
    settle([], session, verifier)
    assert verifier.passed == {NO_SERVER_ERROR: 5}
    assert verifier.unassessed[UPDATE_APPLIES].startswith("not observed: the object read before an update answered")
    assert "no webhook endpoint was created or read" in verifier.unassessed[WEBHOOK_SECRET]


def test_a_failure_claims_nothing_for_the_other_requirements(session: FuzzSession) -> None:
    from conformance.checks import ConformanceError, ValueMismatch

    verifier = Verifier((NO_SERVER_ERROR, LIST_CONTRACT))
    session.observed.saw(NO_SERVER_ERROR)
    session.observed.saw(LIST_CONTRACT)
    with pytest.raises(ConformanceError):
        settle([ValueMismatch(requirement_id=LIST_CONTRACT, message="has_more wrong")], session, verifier)
    assert verifier.passed == {}
    assert verifier.unassessed[NO_SERVER_ERROR].startswith("not reached")


def test_a_card_that_cannot_be_attached_blocks_instead_of_crashing(fuzz_against: Callable[..., FuzzSession]) -> None:
    session = fuzz_against(RefusesEveryToken(), examples=3)
    failures = fuzz_operation(session, BY_ID["GetCustomersCustomerSourcesId"])
    assert failures == []
    assert session.blocked is not None and session.blocked.precondition == "precondition.card-attach"
    assert session.blocked.reason.startswith("Attaching") and "HTTP 400" in session.blocked.reason
    verifier = Verifier(OPERATION_REQUIREMENTS)
    with pytest.raises(Blocked):
        settle(failures, session, verifier)
    assert set(verifier.unassessed) >= {UPDATE_APPLIES, LIST_CONTRACT}
    assert verifier.unassessed[UPDATE_APPLIES] == session.blocked.reason
