"""Invariants the state machine checks after every step, with probes of its own.

Each concern lives in its own module; this one runs them after a step:

- :mod:`conformance.fuzz.webhook_secret`: a webhook endpoint's secret only in the answer to create;
- :mod:`conformance.fuzz.updates`: an update applies what it was sent and reads back the same;
- :mod:`conformance.fuzz.creates`: a created seed-000 object reads back, a forwarding request is sent once;
- :mod:`conformance.fuzz.default_source`: the customer's cards and default source follow seeds/004
  (the probes read the lists through :mod:`conformance.fuzz.list_contract`, judging the list contract).

Every check counts what it judged, and says why it could not, in the given
:class:`~conformance.fuzz.observations.Observations`.
"""

from __future__ import annotations

from typing import Any

import schemathesis

from conformance.checks import Failure
from conformance.fuzz.creates import CreateInvariants
from conformance.fuzz.default_source import DefaultSourceRules, Step
from conformance.fuzz.list_contract import ListContract
from conformance.fuzz.model import AccountModel, CustomerModel
from conformance.fuzz.observations import Observations
from conformance.fuzz.updates import CUSTOMER_PATH, UpdateInvariants, is_update
from conformance.fuzz.webhook_secret import webhook_secret
from conformance.http import StripeClient
from conformance.http.exchange import Response


class Invariants:
    """Probe the target after a step and compare with the scenario's model."""

    def __init__(self, client: StripeClient, model: AccountModel, observations: Observations | None = None) -> None:
        """Probe through ``client``; compare with ``model``; count what is judged in ``observations``."""
        self.observations = observations if observations is not None else Observations()
        self.lists = ListContract(client, self.observations)
        self.updates = UpdateInvariants(client, self.observations)
        self.creates = CreateInvariants(client, self.observations)
        self.default_source = DefaultSourceRules(client, model, self.observations, self.lists)
        self.model = model

    def after_step(self, case: schemathesis.Case[Any], response: Response) -> list[Failure]:
        """Return the invariant failures after ``case`` was answered with ``response``."""
        failures = webhook_secret(case, response, self.observations)
        failures += self.creates.read_back(case, response)
        failures += self.creates.forwarding_once_per_key(case, response)
        failures += self.updates.applies(case, response)
        failures += self.updates.read_back(case, response)
        customer = self.model.customer_of(case, response)
        # A read changes nothing: the state probed after the last change still holds, and probing
        # again would only spend requests (the read's own answer is judged by the checks).
        if case.method.upper() == "GET":
            return failures
        if customer is None or customer.gone:
            return failures
        if 400 <= response.status < 500 and customer.probed is not None:
            # Refused: the state probed after the last accepted change is known and still holds
            # (whether a refused call changes nothing is judged where the object is read around it).
            return failures
        if is_update(case) and case.path != CUSTOMER_PATH and customer.probed is not None:
            # A card's own update changes neither which cards the customer has nor its default.
            return failures
        before = customer.default
        step = Step.of_case(case, response)
        customer_update = is_update(case) and case.path == CUSTOMER_PATH
        read = self.updates.last_read if customer_update else None
        sent = case.body if isinstance(case.body, dict) else {}
        unchanged = customer_update and "source" not in sent
        failures += self.default_source.customer_state(
            customer, replacing=step.replaces_default, read=read, cards_unchanged=unchanged
        )
        failures += self.default_source.rules(customer, step, before)
        failures += self.default_source.second_delete(customer, step)
        return failures

    def default_exercise(self, customer: CustomerModel) -> list[Failure]:
        """Walk a customer with cards through seeds/004's default-source rules (see ``DefaultSourceRules.exercise``)."""
        return self.default_source.exercise(customer)
