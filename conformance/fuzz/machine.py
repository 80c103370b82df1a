"""The stateful scenario: Schemathesis' link-driven state machine, sent and judged by the suite.

Links of the surface chain the calls (create a customer, add a card, retrieve / update /
delete it, list, retrieve an item, retrieve after delete). After every step the machine
judges the answer (:class:`~conformance.fuzz.checks.Judge`) and probes the target for the
invariants of :mod:`conformance.fuzz.invariants`. One hand-written rule walks a customer with
cards through the default-source rules (add three cards, delete a card that is not the default,
delete it again, delete the default), which generated links alone seldom reach. Each scenario
deletes what it created.

A failure carries the scenario's calls up to the failing one as ``curl`` lines; Hypothesis
shrinks the scenario first, so they are the shortest sequence it found.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

import hypothesis
import schemathesis
from hypothesis.errors import FlakyStrategyDefinition, UnsatisfiedAssumption
from hypothesis.stateful import precondition, rule
from schemathesis.generation.feedback import NO_FEEDBACK
from schemathesis.generation.stateful.state_machine import normalize_name

from conformance.checks import ConformanceError, Failure
from conformance.fuzz.checks import merge
from conformance.fuzz.config import hypothesis_settings
from conformance.fuzz.determinism import without_local_constants
from conformance.fuzz.invariants import Invariants
from conformance.fuzz.model import AccountModel, CustomerModel
from conformance.fuzz.outcome import collect_failures
from conformance.fuzz.reproduce import curl_sequence
from conformance.fuzz.requirement_ids import RESOURCE_AVAILABLE, USE_AFTER_FREE
from conformance.fuzz.session import FuzzSession
from conformance.fuzz.wire import send_case, to_schemathesis
from conformance.http.exchange import Response
from conformance.targets.ledger import restore_tags_of, teardown_of

MACHINE_SEED_NAME = "stateful"
SHRINK_RUNS = 10
"""Scenarios Hypothesis may run to shrink a part's failure (at least; the part's scenarios if more).

Ten per part: one test of all the scenarios had 30, and a target that breaks every part would
otherwise pay nine times that."""


class ShrinkingOver(BaseException):
    """Raised at the first step of a scenario past the shrink budget: ends the Hypothesis run at once.

    A ``BaseException``, so Hypothesis does not take it for a failure to shrink: rejecting the
    scenarios instead left its shrinker trying thousands of candidates, each rejected (about a
    minute of CPU per failing test against a target that fails everything).
    """


class ShrinkBudget:
    """Bound the scenarios spent shrinking, and keep the shortest failing scenario seen.

    Hypothesis may replay a failing scenario hundreds of times (minutes against a server);
    after ``runs`` scenarios past the first failure, the next scenario ends the run at its first
    step, before sending (:class:`ShrinkingOver`). Counting scenarios, not seconds, keeps a
    seeded run reproducible call for call.
    """

    def __init__(self, runs: int, *, skip_simplest: bool = False) -> None:
        """Allow ``runs`` scenarios after the first failure; ``skip_simplest``: reject the first scenario unsent."""
        self.runs = runs
        self.skip_simplest = skip_simplest
        self.scenarios = 0
        self.after_failure = 0
        self.shortest: tuple[int, list[Failure]] | None = None
        self.error: Exception | None = None
        """The last exception a scenario failed with other than a finding (Hypothesis shrinks those too)."""

    @property
    def exhausted(self) -> bool:
        """Tell whether no more scenario may run."""
        return self._failed and self.after_failure > self.runs

    @property
    def _failed(self) -> bool:
        return self.shortest is not None or self.error is not None

    def skipping(self) -> bool:
        """Tell whether the scenario starting now is Hypothesis' simplest one and is to be rejected (once).

        Hypothesis begins every test with its simplest example (the first rule, with the simplest
        data, at every step). All parts would repeat that one scenario; only the first part runs it,
        the others reject it before it sends anything and go on with a generated one.
        """
        skip, self.skip_simplest = self.skip_simplest, False
        return skip

    def started(self) -> None:
        """Count a scenario."""
        self.scenarios += 1
        if self._failed:
            self.after_failure += 1

    def failed(self, calls: int, failures: list[Failure]) -> None:
        """Remember a failing scenario of ``calls`` calls if it is the shortest so far."""
        if self.shortest is None or calls < self.shortest[0]:
            self.shortest = (calls, failures)


def build_machine(session: FuzzSession, shrink: ShrinkBudget | None = None, part: int = 0) -> type[Any]:
    """Return the state machine class of part ``part`` for ``session`` (seeded from the run seed and the part)."""
    budget = shrink or ShrinkBudget(SHRINK_RUNS)
    generated: Any = session.surface.schema.build_state_machine(feedback=NO_FEEDBACK, link_calibration=None)
    base = _without_id_roots(generated)
    client = session.client

    class StripeStateMachine(base):  # type: ignore[misc, valid-type]
        """Generated steps sent through the suite's client, judged, then probed for invariants."""

        def setup(self) -> None:
            budget.started()
            self.sc_model = AccountModel()
            self.sc_probes = Invariants(client, self.sc_model, session.observed)
            self.sc_judge = session.with_removed(self.sc_model.was_removed)
            self.sc_calls: list[Response] = []
            self.sc_last: Response | None = None

        def teardown(self) -> None:
            # Called while a failing scenario's exception is in flight: one that no check turned into a
            # finding (a broken answer the links could not follow) still counts toward the shrink budget.
            in_flight = sys.exc_info()[1]
            if isinstance(in_flight, Exception) and not isinstance(in_flight, UnsatisfiedAssumption):
                budget.error = in_flight
            try:
                with teardown_of(client.transport):
                    for customer in self.sc_model.customers:
                        client.delete(f"/v1/customers/{customer}")
                    for endpoint in self.sc_model.webhook_endpoints:
                        client.delete(f"/v1/webhook_endpoints/{endpoint}")
            except Exception as error:
                budget.error = error
                raise

        def step(self, input: Any) -> Any:
            # Rejected once its first step is drawn, before sending: a rejection before any draw would
            # tell Hypothesis that every input is rejected.
            if budget.exhausted:
                raise ShrinkingOver
            if budget.skipping():
                hypothesis.reject()
            return super().step(input)

        def call(self, case: schemathesis.Case[Any], **kwargs: Any) -> schemathesis.Response:
            response = send_case(client, case)
            self.sc_last = response
            self.sc_calls.append(response)
            return to_schemathesis(response)

        def after_call(self, response: schemathesis.Response, case: schemathesis.Case[Any]) -> None:
            super().after_call(response, case)
            if self.sc_last is not None:
                self.sc_model.observe(case, self.sc_last)

        def validate_response(
            self,
            response: schemathesis.Response,
            case: schemathesis.Case[Any],
            additional_checks: Any = None,
            **kwargs: Any,
        ) -> None:
            ours = self.sc_last
            assert ours is not None
            self._observe_lifecycle(case)
            failures = self.sc_judge.failures(case, ours, response, recorder=self.recorder)
            with session.log.window() as probes:
                failures += self.sc_probes.after_step(case, ours)
                made = list(probes)
            restore_tags_of(client.transport)  # the step is judged: an object it untagged gets the run tag back
            self._raise(failures, made)

        @precondition(lambda self: self._card_customer() is not None)
        @rule()
        def exercise_default_source(self) -> None:
            """Add cards, delete another card (twice), then the default (seeds/004 'Delete a card')."""
            customer = self._card_customer()
            assert customer is not None
            if budget.exhausted:
                raise ShrinkingOver
            customer.exercised = True
            with session.log.window() as calls:
                failures = self.sc_probes.default_exercise(customer)
                made = list(calls)
            self.sc_calls += [call for call in made if call.request.method != "GET"]
            self._raise(failures, made)

        def _observe_lifecycle(self, case: schemathesis.Case[Any]) -> None:
            """Count the lifecycle checks this answer is judged by: a read after delete, or of a live object."""
            if case.method.upper() == "DELETE":
                return
            if self.sc_model.was_removed(case):
                session.observed.saw(USE_AFTER_FREE)
            elif self.sc_model.made(case):
                session.observed.saw(RESOURCE_AVAILABLE)

        def _card_customer(self) -> CustomerModel | None:
            return next(
                (c for c in self.sc_model.customers.values() if not c.gone and c.live and not c.exercised), None
            )

        def _raise(self, failures: list[Failure], probes: list[Response]) -> None:
            if not failures:
                return
            sequence = curl_sequence([*self.sc_calls, *probes])
            found = session.sift([dataclasses.replace(f, curl=sequence) for f in merge(failures)])
            if not found:
                return
            budget.failed(len(self.sc_calls), found)
            raise ConformanceError(found)

    StripeStateMachine.__name__ = StripeStateMachine.__qualname__ = "StripeStateMachine"
    return hypothesis.seed(session.budget.seed_for(part_seed_name(part)))(StripeStateMachine)


def part_seed_name(part: int) -> str:
    """Return the name part ``part``'s seed derives from (with the run's seed)."""
    return f"{MACHINE_SEED_NAME}/{part}"


def _without_id_roots(machine: Any) -> Any:
    """Return ``machine`` with scenarios starting only at creating a customer or a webhook endpoint.

    Schemathesis starts scenarios at any POST with outgoing links (adding a card to a random
    customer id only earns a 404) and at lists (on a real account, other objects). Lists are
    reached through links from the objects a scenario created.
    """
    by_rule = {normalize_name(f"RANDOM -> {ref.label}"): ref for ref in _labels(machine)}
    dropped = {
        name
        for name in machine.root_rules
        if "{" in by_rule.get(name, _NO_PATH).path or by_rule.get(name, _NO_PATH).method != "post"
    }
    members: dict[str, Any] = {name: None for name in dropped}
    members["root_rules"] = frozenset(machine.root_rules - dropped)
    return type("StripeRoots", (machine,), members)


def _labels(machine: Any) -> list[Any]:
    return [result.ok() for result in machine.schema.get_all_operations() if hasattr(result, "ok")]


class _NoPath:
    path = ""
    method = ""


_NO_PATH = _NoPath()


def run_machine(session: FuzzSession) -> list[Failure]:
    """Run every part of the state machine in turn, up to the first that fails or stops; return its failures."""
    for part in range(session.budget.parts):
        failures = run_machine_part(session, part)
        if failures or session.stopped is not None:
            return failures
    return []


def run_machine_part(session: FuzzSession, part: int) -> list[Failure]:
    """Run part ``part`` of the state machine's scenarios; return the failures of its shortest failing one."""
    scenarios = session.budget.scenarios_in(part)
    shrink = ShrinkBudget(max(SHRINK_RUNS, scenarios), skip_simplest=part > 0)
    machine = build_machine(session, shrink, part)
    settings = hypothesis_settings(scenarios, steps=session.budget.steps)
    try:
        with without_local_constants():
            failures = collect_failures(lambda: machine.run(settings=settings))
    except ShrinkingOver:
        if shrink.shortest is not None:
            return shrink.shortest[1]
        if isinstance(shrink.error, ConformanceError):
            return list(shrink.error.failures)
        assert shrink.error is not None
        raise shrink.error from None
    except FlakyStrategyDefinition:
        # The same choices led to different steps: the target answered a replayed call sequence
        # differently (its state carried over from an earlier scenario). Hypothesis cannot go on.
        if shrink.shortest is not None:
            return shrink.shortest[1]
        session.stop(
            f"the stateful scenarios of part {part + 1} of {session.budget.parts} stopped after {shrink.scenarios} of "
            f"{scenarios}: the target answered the same call sequence differently from one scenario to the next"
        )
        return []
    except Exception:
        # Hypothesis may complain about the rejected replays that ended shrinking.
        if shrink.shortest is None:
            raise
        return shrink.shortest[1]
    return shrink.shortest[1] if shrink.shortest is not None else failures
